namespace XsFuzz.Harness.Corpus;

/// <summary>
/// Hand-written seed scenarios for the AFL corpus: together they use every op, malformed payloads,
/// special paths, the size limits, watches with queued events and transactions that stay open across
/// live updates. `xsfuzz corpus` encodes them to input files.
/// </summary>
public static class SeedScenarios
{
    public static IReadOnlyList<(string Name, string Text)> All { get; } =
    [
        ("store-ops", """
            domain 1
            node /local/domain/1 "" n1
            node /data "v" n0 r1
            D0 tx0 WRITE /a "with\x00nul"
            D0 tx0 READ /a
            D0 tx0 MKDIR /a/b/c
            D0 tx0 DIRECTORY /a
            D0 tx0 SET_PERMS /a/b n0 r1 b1
            D0 tx0 GET_PERMS /a/b
            LIVE-UPDATE
            D1 tx0 READ /a/b
            D1 tx0 WRITE x "1"
            D0 tx0 RM /a/b
            D0 tx0 RM /a/nonexist/deeper
            LIVE-UPDATE
            D0 tx0 DIRECTORY /
            """),
        ("watches-queued-events", """
            domain 1
            node /local/domain/1 "" n1
            D1 tx0 WATCH data rel
            D1 tx0 WATCH /local/domain/1/data abs
            A1 tx0 WATCH / troot
            A1 tx0 WATCH / troot2
            D0 tx0 WRITE /local/domain/1/data/x "1"
            LIVE-UPDATE
            D1 tx0 WRITE data/y "2"
            DRAIN A1
            D0 tx0 RM /local/domain/1/data
            LIVE-UPDATE
            DRAIN D1
            D1 tx0 UNWATCH data rel
            D1 tx0 RESET_WATCHES
            A1 tx0 WATCH @introduceDomain i
            A1 tx0 WATCH @releaseDomain r
            """),
        ("transactions-across-update", """
            domain 1
            node /local/domain/1 "" n1
            node /t "" n0
            D0 tx0 TRANSACTION_START
            D0 tx1 WRITE /t/a "1"
            D0 tx1 READ /t/a
            D1 tx0 TRANSACTION_START
            D1 tx1 WRITE x "y"
            LIVE-UPDATE
            D0 tx0 WRITE /t/b "outside"
            D0 tx1 TRANSACTION_END T
            D1 tx1 TRANSACTION_END T
            D0 tx0 TRANSACTION_START
            D0 tx2 READ /t/b
            D0 tx2 WRITE /t/b "mine"
            A1 tx0 WRITE /t/b "other"
            LIVE-UPDATE
            D0 tx2 TRANSACTION_END T
            D0 tx0 TRANSACTION_START
            D0 tx3 TRANSACTION_START
            D0 tx3 TRANSACTION_END F
            D0 tx9 READ /t
            """),
        ("domains", """
            domain 1
            domain 2 target 0
            node /local/domain/1 "" n1
            node /local/domain/2 "" n2
            A1 tx0 WATCH @introduceDomain i
            D0 tx0 INTRODUCE 3 1003 13
            D0 tx0 INTRODUCE 3 9999 13
            D0 tx0 IS_DOMAIN_INTRODUCED 3
            D0 tx0 RESUME 3
            D0 tx0 SET_TARGET 3 1
            D3 tx0 GET_DOMAIN_PATH 7
            D2 tx0 INTRODUCE 4 1004 14
            LIVE-UPDATE
            D3 tx0 READ /local/domain/1
            A1 tx0 WATCH @releaseDomain r
            D0 tx0 RELEASE 3
            D0 tx0 RELEASE 3
            D1 tx0 INTRODUCE 5 1005 15
            LIVE-UPDATE
            DRAIN A1
            """),
        ("control-and-raw", """
            D0 tx0 CONTROL quota 0
            D0 tx0 CONTROL watches
            D0 tx0 CONTROL mfn 0
            D0 tx0 CONTROL print hello
            D0 tx0 CONTROL live-update -s
            D0 tx0 CONTROL nonsense
            D0 tx0 99 ""
            D0 tx0 DIRECTORY_PART /
            D0 tx0 WATCH_EVENT /
            D0 tx0 ERROR EINVAL
            D0 tx0 RESTRICT 1
            D0 tx0 READ raw:"/local"
            D0 tx0 READ /local ""
            D0 tx0 WRITE raw:"novalue"
            D0 tx0 TRANSACTION_END raw:""
            D0 tx5 READ /
            LIVE-UPDATE
            D0 tx0 CONTROL quota 0
            """),
        ("limits-and-special-paths", """
            domain 1
            node /local/domain/1 "" n1
            D0 tx0 WRITE @foo/bar "v"
            D0 tx0 READ @foo/bar
            D0 tx0 WRITE /@introduceDomain x
            D0 tx0 WRITE relative/x v
            D0 tx0 READ //a
            D0 tx0 READ /a/
            D0 tx0 WRITE "/a b" v
            D0 tx0 SET_PERMS / n0 r1
            D0 tx0 SET_PERMS /local/domain/1 n1 r0 r2
            D1 tx0 SET_PERMS /local/domain/1 n0
            D0 tx0 SET_PERMS /local bad
            D0 tx0 SET_PERMS /local/domain/1 "r-1" b0x10
            D1 tx0 MKDIR /ro
            LIVE-UPDATE
            D0 tx0 GET_PERMS /local/domain/1
            """),
        ("domu-transactions-and-quota", """
            domain 1
            domain 2
            node /local/domain/1 "" n1
            node /local/domain/2 "" n2 r1
            node /shared "" n0 b1 b2
            D1 tx0 TRANSACTION_START
            D1 tx1 WRITE /shared/one "1"
            D2 tx0 TRANSACTION_START
            D2 tx1 MKDIR /shared/two
            D2 tx1 RM /shared/one
            D1 tx0 WATCH /shared w
            LIVE-UPDATE
            D1 tx1 TRANSACTION_END T
            D2 tx1 TRANSACTION_END T
            D0 tx0 CONTROL quota 1
            D0 tx0 CONTROL quota 2
            D1 tx0 TRANSACTION_START
            D1 tx2 SET_PERMS /local/domain/1 n1 r2
            D1 tx2 RELEASE 2
            LIVE-UPDATE
            D1 tx2 TRANSACTION_END T
            DRAIN D1
            """),
    ];
}
