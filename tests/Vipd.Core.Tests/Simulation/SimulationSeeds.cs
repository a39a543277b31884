using System.Globalization;

namespace Vipd.Core.Tests.Simulation;

/// <summary>Seeds for simulation theories: 1..count, or only VIPD_SEED when set (to replay a failure).</summary>
public static class SimulationSeeds
{
    public static TheoryData<int> Get(int count)
    {
        var data = new TheoryData<int>();
        var replay = Environment.GetEnvironmentVariable("VIPD_SEED");
        if (!string.IsNullOrEmpty(replay))
        {
            data.Add(int.Parse(replay, CultureInfo.InvariantCulture));
            return data;
        }

        for (var seed = 1; seed <= count; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    public static int? Replay =>
        Environment.GetEnvironmentVariable("VIPD_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
}
