namespace Vipd.Core.Bgp;

/// <summary>
/// FRR configuration as a tree of lines: a context line ("router bgp 64513", "route-map VIPD-EXPORT permit 10",
/// "address-family ipv4 unicast") holds the lines indented under it. Parsed from <c>show running-config</c> by
/// indentation; "!", "exit", "exit-address-family" and "end" carry no configuration and are dropped.
/// </summary>
public sealed class FrrConfigTree
{
    /// <summary>A line and the lines of its context (empty for a plain line).</summary>
    public sealed record Line(string Text, IReadOnlyList<Line> Children)
    {
        /// <summary>The child line with this text, or null.</summary>
        public Line? Find(string text) => Children.FirstOrDefault(c => c.Text == text);
    }

    private FrrConfigTree(IReadOnlyList<Line> lines) => Lines = lines;

    /// <summary>The top-level lines in order.</summary>
    public IReadOnlyList<Line> Lines { get; }

    /// <summary>The top-level line with this text, or null.</summary>
    public Line? Find(string text) => Lines.FirstOrDefault(l => l.Text == text);

    /// <summary>A tree of these top-level lines.</summary>
    public static FrrConfigTree Of(IReadOnlyList<Line> lines) => new(lines);

    /// <summary>Parses <c>vtysh -c 'show running-config'</c> output.</summary>
    public static FrrConfigTree Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stack = new Stack<(int Indent, List<Line> Children)>();
        var top = new List<Line>();
        stack.Push((-1, top));
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r', ' ');
            var content = line.TrimStart(' ');
            if (content.Length == 0 || content.StartsWith('!') || content is "exit" or "exit-address-family" or "exit-vrf" or "end"
                || content.StartsWith("Building configuration", StringComparison.Ordinal) || content.StartsWith("Current configuration", StringComparison.Ordinal))
            {
                continue;
            }

            var indent = line.Length - content.Length;
            while (stack.Peek().Indent >= indent)
            {
                stack.Pop();
            }

            var children = new List<Line>();
            stack.Peek().Children.Add(new Line(content, children));
            stack.Push((indent, children));
        }

        return new FrrConfigTree(top);
    }
}
