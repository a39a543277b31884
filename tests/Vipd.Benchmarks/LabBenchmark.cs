namespace Vipd.Benchmarks;

/// <summary>What every namespace-lab benchmark checks first.</summary>
internal static class LabBenchmark
{
    /// <summary>True when running as root; otherwise says why <paramref name="name"/> cannot run and returns false (exit 2).</summary>
    public static async Task<bool> RequireRootAsync(string name)
    {
        if (Environment.UserName == "root")
        {
            return true;
        }

        await Console.Error.WriteLineAsync($"{name}: needs root (it builds a namespace lab)").ConfigureAwait(false);
        return false;
    }
}
