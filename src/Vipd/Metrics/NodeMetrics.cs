using Vipd.Core.Membership;
using Vipd.Core.Reconcile;

namespace Vipd.Metrics;

/// <summary>
/// What the node counts itself (ownership transitions, takeover latency); the rest is read from the membership and
/// the announcer when <see cref="Render"/> is called, so the hot paths pay nothing.
/// </summary>
internal sealed class NodeMetrics
{
    private long _transitions;

    /// <summary>From "this node is the owner" in the election to the first announcement on the wire.</summary>
    public LatencyHistogram Takeover { get; } = new();

    public void OwnershipTransition() => Interlocked.Increment(ref _transitions);

    private long _advertisements;
    private long _withdrawals;

    /// <summary>A BGP VIP went onto its interface: FRR advertises it.</summary>
    public void Advertised() => Interlocked.Increment(ref _advertisements);

    /// <summary>A BGP VIP left its interface: FRR withdraws it.</summary>
    public void Withdrawn() => Interlocked.Increment(ref _withdrawals);

    /// <summary>The BGP families (only with a [bgp] table).</summary>
    public string RenderBgp(
        IEnumerable<string> advertised,
        long frrApplies,
        long frrFailures,
        bool frrInSync,
        int sessionsEstablished,
        (long Transient, long Definite) sessionReadFailures = default)
    {
        var text = new PrometheusText();
        text.Family("vipd_bgp_advertised", "gauge", "1 for each BGP VIP this node advertises now (on its interface, redistributed by FRR).");
        foreach (var vip in advertised.Order(StringComparer.Ordinal))
        {
            text.Sample("vipd_bgp_advertised", 1, ("vip", vip));
        }

        text.Family("vipd_bgp_advertisements_total", "counter", "BGP VIPs this node started advertising.")
            .Sample("vipd_bgp_advertisements_total", Interlocked.Read(ref _advertisements));
        text.Family("vipd_bgp_withdrawals_total", "counter", "BGP VIPs this node stopped advertising.")
            .Sample("vipd_bgp_withdrawals_total", Interlocked.Read(ref _withdrawals));
        text.Family("vipd_frr_applies_total", "counter", "Times vipd applied its objects to FRR through vtysh (start, reload, FRR restart).")
            .Sample("vipd_frr_applies_total", frrApplies);
        text.Family("vipd_frr_sync_failures_total", "counter", "FRR syncs that failed (vtysh missing or refusing, FRR not running).")
            .Sample("vipd_frr_sync_failures_total", frrFailures);
        text.Family("vipd_frr_in_sync", "gauge", "1 when FRR holds vipd's objects as last applied.")
            .Sample("vipd_frr_in_sync", frrInSync ? 1 : 0);
        if (sessionsEstablished >= 0)
        {
            text.Family("vipd_bgp_sessions_established", "gauge", "[[bgp.peer]] sessions Established in FRR at the last read (0: not eligible for BGP VIPs).")
                .Sample("vipd_bgp_sessions_established", sessionsEstablished);
        }

        text.Family("vipd_bgp_session_read_failures_total", "counter", "Reads of FRR's BGP sessions that failed, by kind: transient (bgpd too slow or garbled: the last state stands for a few reads), definite (FRR not running: no session at once).")
            .Sample("vipd_bgp_session_read_failures_total", sessionReadFailures.Transient, ("kind", "transient"))
            .Sample("vipd_bgp_session_read_failures_total", sessionReadFailures.Definite, ("kind", "definite"));

        return text.ToString();
    }

    /// <summary>The exposition text for one scrape.</summary>
    public string Render(
        string node,
        IReadOnlyCollection<string> held,
        IReadOnlyList<Member> members,
        AnnouncerCounters announcer,
        DropCounters drops,
        TrafficCounters traffic,
        long sendFailures,
        IReadOnlyList<(string Check, bool Passing, double DurationSeconds)> checks,
        int disagreeingPeers = 0,
        long undecodableRecords = 0,
        (int Now, long Total) refusedDynamicVips = default)
    {
        var text = new PrometheusText();
        text.Family("vipd_vips_held", "gauge", "VIPs this node holds (bound and announced).")
            .Sample("vipd_vips_held", held.Count, ("node", node));
        text.Family("vipd_vip_held", "gauge", "1 for each VIP this node holds.");
        foreach (var vip in held.Order(StringComparer.Ordinal))
        {
            text.Sample("vipd_vip_held", 1, ("vip", vip));
        }

        text.Family("vipd_members", "gauge", "Members of the cluster by state, as this node sees them (itself included).");
        foreach (var state in Enum.GetValues<MemberState>())
        {
            text.Sample("vipd_members", members.Count(m => m.State == state), ("state", state.ToString().ToLowerInvariant()));
        }

        text.Family("vipd_config_disagreements", "gauge", "Live peers whose VIPs or VIP settings (preempt, preempt_delay, nodes) have differed from this node's for more than 10 s.")
            .Sample("vipd_config_disagreements", disagreeingPeers);
        text.Family("vipd_node_records_undecodable_total", "counter", "Peer node records that did not decode (each distinct record once); such a peer counts as neither eligible nor holding.")
            .Sample("vipd_node_records_undecodable_total", undecodableRecords);
        text.Family("vipd_dynamic_vips_refused", "gauge", "Dynamic VIPs (API, vipd-k8s, replicated from peers) this node's config forbids it to hold now ([api] vip_prefixes, vip_interfaces, node and host addresses).")
            .Sample("vipd_dynamic_vips_refused", refusedDynamicVips.Now);
        text.Family("vipd_dynamic_vip_refusals_total", "counter", "Times this node refused to hold a dynamic VIP its config forbids (each VIP counted once per reason).")
            .Sample("vipd_dynamic_vip_refusals_total", refusedDynamicVips.Total);
        text.Family("vipd_ownership_transitions_total", "counter", "Owner changes of any VIP seen by this node's election.")
            .Sample("vipd_ownership_transitions_total", Interlocked.Read(ref _transitions));
        text.Family("vipd_takeover_seconds", "histogram", "From this node being elected owner of a VIP to its first announcement.");
        Takeover.WriteTo(text, "vipd_takeover_seconds");
        text.Family("vipd_announcements_total", "counter", "Announcement rounds sent (gratuitous ARP request + reply, or an unsolicited NA).")
            .Sample("vipd_announcements_total", announcer.Announcements);
        text.Family("vipd_announcements_queued", "gauge", "Announcement rounds waiting now for their interface's packet budget ([announce] rate and burst).")
            .Sample("vipd_announcements_queued", announcer.Queued);
        text.Family("vipd_announcements_deferred_total", "counter", "Announcement rounds that had to wait for their interface's packet budget.")
            .Sample("vipd_announcements_deferred_total", announcer.Deferred);
        text.Family("vipd_conflicts_total", "counter", "ARP/NA frames from another MAC claiming a VIP this node holds.")
            .Sample("vipd_conflicts_total", announcer.Conflicts);
        text.Family("vipd_address_repairs_total", "counter", "Held VIPs put back after they disappeared (deleted by hand, DAD failed).")
            .Sample("vipd_address_repairs_total", announcer.Repairs);
        text.Family("vipd_gossip_datagrams_received_total", "counter", "Gossip datagrams received.")
            .Sample("vipd_gossip_datagrams_received_total", traffic.DatagramsReceived);
        text.Family("vipd_gossip_datagrams_sent_total", "counter", "Gossip datagrams sent.")
            .Sample("vipd_gossip_datagrams_sent_total", traffic.DatagramsSent);
        text.Family("vipd_gossip_bytes_sent_total", "counter", "Gossip bytes sent.")
            .Sample("vipd_gossip_bytes_sent_total", traffic.BytesSent);
        text.Family("vipd_gossip_send_failures_total", "counter", "Gossip datagrams the kernel refused to send (buffer full, unreachable).")
            .Sample("vipd_gossip_send_failures_total", sendFailures);
        text.Family("vipd_gossip_datagrams_dropped_total", "counter", "Gossip datagrams dropped, by reason.");
        foreach (var (reason, count) in drops.Snapshot().OrderBy(d => d.Key))
        {
            text.Sample("vipd_gossip_datagrams_dropped_total", count, ("reason", reason.ToString()));
        }

        text.Family("vipd_check_up", "gauge", "1 while a health check passes (after rise/fall), else 0.");
        foreach (var (check, passing, _) in checks)
        {
            text.Sample("vipd_check_up", passing ? 1 : 0, ("check", check));
        }

        text.Family("vipd_check_duration_seconds", "gauge", "Duration of the last run of each health check.");
        foreach (var (check, _, seconds) in checks)
        {
            text.Sample("vipd_check_duration_seconds", seconds, ("check", check));
        }

        var gc = GC.GetGCMemoryInfo();
        text.Family("vipd_gc_heap_bytes", "gauge", "Managed heap size after the last garbage collection (objects and fragmentation).")
            .Sample("vipd_gc_heap_bytes", gc.HeapSizeBytes);
        text.Family("vipd_gc_committed_bytes", "gauge", "Memory the garbage collector has committed from the OS for the managed heap.")
            .Sample("vipd_gc_committed_bytes", gc.TotalCommittedBytes);
        text.Family("vipd_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the start.")
            .Sample("vipd_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes());
        text.Family("vipd_gc_collections_total", "counter", "Garbage collections since the start, by generation.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Sample("vipd_gc_collections_total", GC.CollectionCount(generation), ("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return text.ToString();
    }
}
