using Serilog.Events;
using Serilog.Parsing;
using Vipd.Hosting;

namespace Vipd.Tests.Hosting;

public sealed class LoggingTests
{
    [Fact]
    public void ControlCharacterEscaper_NameWithNewlineAndEscape_RenderedOnOneLineWithoutControlCharacters()
    {
        var template = new MessageTemplateParser().Parse("Member {Name} joined from {Address}");
        var logEvent = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null, template,
        [
            new LogEventProperty("Name", new ScalarValue("n2\n<3>FORGED: vipd lost every VIP\u001b[2J\t\u0085")),
            new LogEventProperty("Address", new ScalarValue("192.0.2.12:7450")),
        ]);

        new Logging.ControlCharacterEscaper().Enrich(logEvent, null!);
        var rendered = logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal("Member \"n2\\n<3>FORGED: vipd lost every VIP\\x1b[2J\\t\\x85\" joined from \"192.0.2.12:7450\"", rendered);
        Assert.DoesNotContain(rendered, char.IsControl);
    }

    [Fact]
    public void ControlCharacterEscaper_PlainText_Unchanged() =>
        Assert.Same("web-é名", Vipd.Core.Text.ControlCharacters.Escape("web-é名"));
}
