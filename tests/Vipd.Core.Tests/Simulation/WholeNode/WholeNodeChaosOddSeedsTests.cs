namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// Half of the seeded whole-node chaos runs (<see cref="ChaosScenario"/>): two classes, so xUnit runs the halves on
/// both cores. The invariants hold once a detection window has passed since the last fault.
/// </summary>
public sealed class WholeNodeChaosOddSeedsTests
{
    public static TheoryData<int> Seeds => ChaosScenario.Seeds(1, 2);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Chaos_SeededFaults_InvariantsHoldAfterTheDetectionWindow(int seed) => ChaosScenario.Run(seed);
}
