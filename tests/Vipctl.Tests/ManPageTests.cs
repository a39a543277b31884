using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Vipctl.Tests;

/// <summary>packaging/man/vipctl.8.md documents every command, option and exit code that vipctl has.</summary>
public sealed class ManPageTests
{
    private static readonly string ManPage = File.ReadAllText(Path.Combine(RepoPaths.Root, "packaging", "man", "vipctl.8.md"));

    public static TheoryData<string, int> ExitCodeConstants()
    {
        var data = new TheoryData<string, int>();
        foreach (var field in typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(int)))
        {
            data.Add(field.Name, (int)field.GetValue(null)!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExitCodeConstants))]
    public void ExitCode_IsInTheManPageAndTheHelp(string name, int value)
    {
        var row = Regex.Match(ManPage, $@"^\| {value} \| ([a-z ]+) \|", RegexOptions.Multiline);

        Assert.True(row.Success, $"no EXIT STATUS row for {name} = {value}");
        Assert.Equal(name.ToUpperInvariant(), row.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant());
        Assert.Matches($@"\b{value} [a-z]", ExitCodes.HelpText);
    }

    [Fact]
    public void ManPage_DescribesEveryCommandAndOption()
    {
        var root = Cli.CreateRoot(CliEnvironment.FromConsole());
        var missing = new List<string>();
        foreach (var (command, path) in Walk(root, string.Empty))
        {
            // A term in COMMANDS: "**move**", "**vip apply**", "**config check**" (a group is the start of its verbs).
            if (path.Length > 0 && !ManPage.Contains($"\n**{path}", StringComparison.Ordinal))
            {
                missing.Add(path);
            }

            foreach (var option in command.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal)))
            {
                if (!ManPage.Contains($"`{option.Name}", StringComparison.Ordinal))
                {
                    missing.Add($"{path} {option.Name}".Trim());
                }
            }
        }

        Assert.Empty(missing);
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
}
