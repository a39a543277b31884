using System.CommandLine;

namespace Vipctl.Tests;

/// <summary>The shell completion files in packaging/completions: bash completes as vipctl parses; both know every verb and option.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CompletionTests : IAsyncLifetime
{
    private static readonly string BashFile = Path.Combine(RepoPaths.Root, "packaging", "completions", "vipctl.bash");
    private static readonly string ZshFile = Path.Combine(RepoPaths.Root, "packaging", "completions", "_vipctl");
    private FakeServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("", "status vips members explain watch drain undrain move maintenance reload vip config version")]
    [InlineData("st", "status")]
    [InlineData("vip ", "apply remove")]
    [InlineData("config ", "check")]
    [InlineData("maintenance ", "off on")]
    [InlineData("maintenance on ", "")]
    [InlineData("-o ", "json table")]
    [InlineData("--output j", "json")]
    [InlineData("drain --", "--help --output --socket --wait")]
    [InlineData("move web --c", "--clear")]
    [InlineData("vip remove --", "--all --help --output --socket --source")]
    [InlineData("vip apply --r", "--replace")]
    [InlineData("-o json vip ", "apply remove")]
    [InlineData("--socket /x re", "reload")]
    public async Task Bash_Line_CompletesTheWords(string line, string expected)
    {
        var words = await CompleteAsync("vipctl", line);

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), words.Where(w => !w.StartsWith("-h", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bash_VipAndNode_AreAskedFromTheDaemon()
    {
        var wrapper = Path.Combine(_server.Folder, "vipctl");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet exec '{RepoPaths.VipctlDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var vips = await CompleteAsync(wrapper, $"--socket {_server.SocketPath} explain ");
        var nodes = await CompleteAsync(wrapper, $"--socket {_server.SocketPath} move web ");
        var down = await CompleteAsync(wrapper, $"--socket {_server.Folder}/absent.sock explain ");

        Assert.Equal(["api", "db", "web"], vips.Order(StringComparer.Ordinal));
        Assert.Equal(["n1", "n2", "n3"], nodes.Order(StringComparer.Ordinal));
        Assert.Empty(down);
    }

    [Fact]
    public void CompletionFiles_NameEveryCommandAndOption()
    {
        var bash = File.ReadAllText(BashFile);
        var zsh = File.ReadAllText(ZshFile);
        var root = Cli.CreateRoot(CliEnvironment.FromConsole());
        var missing = new List<string>();
        foreach (var (command, path) in Walk(root, string.Empty))
        {
            foreach (var name in command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Append(command.Name))
            {
                // The root's own name, and help's DOS-style aliases (/h, /?, -?) that nobody completes.
                if ((command is RootCommand && name == root.Name) || name.StartsWith('/') || name == "-?")
                {
                    continue;
                }

                foreach (var (file, text) in (ReadOnlySpan<(string, string)>)[("bash", bash), ("zsh", zsh)])
                {
                    if (!System.Text.RegularExpressions.Regex.IsMatch(text, $@"(?<![\w-]){System.Text.RegularExpressions.Regex.Escape(name)}(?![\w-])"))
                    {
                        missing.Add($"{file}: {path} {name}");
                    }
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public async Task Zsh_File_IsValidSyntax()
    {
        if (!File.Exists("/usr/bin/zsh") && !File.Exists("/bin/zsh"))
        {
            Assert.Fail("zsh is not installed (tests/install-deps installs it)");
        }

        var (code, _, error) = await ChildProcess.RunAsync("zsh", "-n", ZshFile);

        Assert.True(code == 0, error);
    }

    private static IEnumerable<(Command Command, string Path)> Walk(Command command, string path)
    {
        yield return (command, path);
        foreach (var sub in command.Subcommands)
        {
            foreach (var item in Walk(sub, $"{path} {sub.Name}".Trim()))
            {
                yield return item;
            }
        }
    }

    private static async Task<string[]> CompleteAsync(string program, string line)
    {
        var words = line.Split(' ').ToList();
        words.Insert(0, program);
        var array = string.Join(' ', words.Select(w => $"'{w}'"));
        var script = $"source '{BashFile}'\nCOMP_WORDS=({array})\nCOMP_CWORD={words.Count - 1}\n_vipctl\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n";
        var (code, output, error) = await ChildProcess.RunAsync("bash", "--norc", "--noprofile", "-c", script);
        Assert.True(code == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
