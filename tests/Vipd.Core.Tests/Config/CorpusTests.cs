using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

/// <summary>
/// Every <c>Corpus/NAME.toml</c> is a broken config; <c>Corpus/NAME.expected</c> holds the exact
/// <c>FILE:LINE:COL: message</c> lines the loader must print for it, in order.
/// </summary>
public class CorpusTests
{
    private static readonly ConfigLoadOptions Options = new() { CheckFiles = false, HostName = "testhost" };

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Corpus, "*.toml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Parse_CorpusFile_ReportsExactlyTheExpectedErrors(string name)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Corpus, name + ".toml"));
        var expectedPath = Path.Combine(RepoPaths.Corpus, name + ".expected");

        var result = ConfigLoader.Parse(text, name + ".toml", Options);
        var actual = result.Errors.Select(e => e.ToString()).ToArray();

        if (Environment.GetEnvironmentVariable("VIPD_WRITE_CORPUS_ACTUAL") == "1")
        {
            var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "vipd-corpus-actual")).FullName;
            File.WriteAllLines(Path.Combine(folder, name + ".expected"), actual);
        }

        Assert.False(result.IsValid);
        Assert.True(File.Exists(expectedPath), $"missing {expectedPath}");
        var expected = File.ReadAllLines(expectedPath).Where(l => l.Length > 0).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Corpus_HasAtLeastFifteenFiles_EachWithExpectedLines()
    {
        var files = Directory.GetFiles(RepoPaths.Corpus, "*.toml");

        Assert.True(files.Length >= 15, $"{files.Length} corpus files");
        Assert.All(files, f => Assert.True(File.Exists(Path.ChangeExtension(f, ".expected")), f));
    }
}
