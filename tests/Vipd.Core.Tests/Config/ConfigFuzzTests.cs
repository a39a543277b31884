using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

/// <summary>Seeded mutations of the examples: the loader reports errors, it never throws.</summary>
public class ConfigFuzzTests
{
    /// <summary>Iterations per run; set VIPD_CONFIG_FUZZ_ITERATIONS for a longer hunt.</summary>
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("VIPD_CONFIG_FUZZ_ITERATIONS"), out var n) ? n : 1500;

    private const string Alphabet = "[]{}=\"'.,#\n 0123456789abcxyz:/-_";

    [Fact]
    public void Parse_MutatedExamples_NeverThrowsAndPositionsAreInsideTheFile()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VIPD_CONFIG_FUZZ_SEED"), out var s) ? s : 20261125;
        var random = new Random(seed);
        var options = new ConfigLoadOptions { CheckFiles = false, HostName = "h" };
        var texts = Directory.GetFiles(RepoPaths.Examples, "*.toml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        var invalid = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var text = Mutate(texts[i % texts.Length], random, 1 + random.Next(4));
            ConfigResult result;
            try
            {
                result = ConfigLoader.Parse(text, "f.toml", options);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, iteration {i}: {e}\n--- input ---\n{text}");
                throw;
            }

            var lines = text.Split('\n').Length + 1;
            Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Line <= lines && e.Column >= 1, $"seed {seed}, iteration {i}: {e}"));
            Assert.Equal(result.IsValid, result.Errors.Count == 0);
            invalid += result.IsValid ? 0 : 1;
        }

        Assert.True(invalid > Iterations / 3, $"only {invalid} mutations were invalid: the mutator does not mutate");
    }

    private static string Mutate(string text, Random random, int count)
    {
        var chars = text.ToList();
        for (var n = 0; n < count && chars.Count > 0; n++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 2:
                    chars[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                default:
                    var lines = new string([.. chars]).Split('\n').ToList();
                    var line = random.Next(lines.Count);
                    lines.Insert(random.Next(lines.Count), lines[line]);
                    chars = [.. string.Join('\n', lines)];
                    break;
            }
        }

        return new string([.. chars]);
    }
}
