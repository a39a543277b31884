namespace Vipctl.Output;

/// <summary>The few colours vipctl uses; none when stdout is not a terminal or NO_COLOR is set.</summary>
internal enum Color
{
    None,
    Green,
    Yellow,
    Red,
    Dim,
    Bold,
}
