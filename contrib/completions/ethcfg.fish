# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ethcfg_global_optspecs
    string join \n h/help V/version
end

function __fish_ethcfg_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ethcfg_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ethcfg_using_subcommand
    set -l cmd (__fish_ethcfg_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ethcfg -n "__fish_ethcfg_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "show" -d 'Show the features of interfaces, like `ethtool -k` (all interfaces when none is named)'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "set" -d 'Set features and other ethtool settings, and report what actually changed'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "apply" -d 'Apply a profile to interfaces: plan, record, set, verify; roll back on failure'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "check" -d 'Check whether interfaces match a profile now (exit 4 and the drifted features if not)'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "revert" -d 'Restore what apply/set changed on interfaces, as before the first recorded change'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "profiles" -d 'List the profiles, or show one'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "doctor" -d 'Diagnose NIC trouble from the kernel log: e1000e hangs, igc link drops, r8169 transmit timeouts, ice DDP packages, iSCSI heartbeats'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "impact" -d 'Show what unloading a kernel module takes with it, before anyone runs rmmod or modprobe -r'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "monitor" -d 'Print feature, settings and link changes as they happen, like `ethtool --monitor`'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "watch" -d 'Keep the configuration\'s bindings applied: on hotplug, driver reload, rename, and drift'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "generate" -d 'Write the man page or shell completions (for packagers)'
complete -c ethcfg -n "__fish_ethcfg_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand show" -l json -d 'Print JSON on stdout: [{"ifname", "ifindex", "driver", "features": {NAME: {"active", "requested", "fixed"}}}]'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand show" -l all-settings -d 'Also show rings, channels, coalesce, pause, EEE and private flags (JSON: "rings", "channels", "coalesce", "pause", "eee", "private-flags"; null and listed in "unsupported" when the driver does not have them)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand show" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand show" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand set" -l source -d 'What runs this, for the records: hook, config or watch (ifupdown hooks and the config/watch code pass it; people leave it out)' -r
complete -c ethcfg -n "__fish_ethcfg_using_subcommand set" -l dry-run -d 'Plan and report (status "planned"), send nothing'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand set" -l json -d 'Print JSON on stdout: [{"ifname", "changed", "changes": [{"feature", "from", "to", "status"}]}]'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand set" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand set" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l source -d 'What runs this, for the records: hook, config or watch (ifupdown hooks and the config/watch code pass it; people leave it out)' -r
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l config -d 'Apply the configuration file\'s bindings instead of a profile'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l dry-run -d 'Plan and report (status "planned"), send nothing'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l force -d 'Apply even to interfaces on drivers the profile is not for'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l ports -d 'For a bridge, bond or VLAN: apply to the devices at the bottom of its stack (those the profile is for) instead, and say which'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l strict -d 'All or nothing: if anything is refused, roll back every change of this run'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -l json -d 'Print JSON on stdout, as for `set`'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand apply" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand check" -l config -d 'Check the configuration file\'s bindings (ETHCFG_CONFIG, default /etc/ethcfg/ethcfg.toml) instead of a profile'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand check" -l json -d 'Print JSON on stdout; drifted features have status "drift"'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand check" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand check" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand revert" -l source -d 'What runs this (hook, config, watch); accepted for symmetry with apply and set' -r
complete -c ethcfg -n "__fish_ethcfg_using_subcommand revert" -l forget -d 'Drop the records of these names without touching any device (for a device that is gone)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand revert" -l json -d 'Print JSON on stdout, as for `set`'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand revert" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand revert" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -l json -d 'Print JSON on stdout'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List every profile: built-in and from the profile directory (the default)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Show one profile in full'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from list" -l json -d 'Print JSON on stdout'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from show" -l json -d 'Print JSON on stdout'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every profile: built-in and from the profile directory (the default)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one profile in full'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand doctor" -l kernel-log -d 'Kernel log to read instead of /dev/kmsg (dmesg, journalctl -k or syslog format; - is stdin)' -r -F
complete -c ethcfg -n "__fish_ethcfg_using_subcommand doctor" -l root -d 'Read sysfs, procfs, /lib/firmware and /etc under DIR instead of / (a rescue mount, a fixture)' -r -F
complete -c ethcfg -n "__fish_ethcfg_using_subcommand doctor" -l json -d 'Print JSON on stdout: {"findings": [{"id", "severity", "interface", "device", "evidence", "explanation", "remedy"}]}'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand impact" -l root -d 'Read sysfs and procfs under DIR instead of /' -r -F
complete -c ethcfg -n "__fish_ethcfg_using_subcommand impact" -l json -d 'Print JSON on stdout: {"module", "holders", "rmmod", "modprobe_r", "management_interfaces", "safe_sequence"}'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand impact" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand impact" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand monitor" -l json -d 'Print one JSON object per line: {"event": "features"|"settings"|"link-added"|"link-removed"|"link-renamed"|"link-changed"|"overrun", "ifindex", "ifname", ...}'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand monitor" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand monitor" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand watch" -l config -d 'The configuration file (default: ETHCFG_CONFIG, else /etc/ethcfg/ethcfg.toml)' -r -F
complete -c ethcfg -n "__fish_ethcfg_using_subcommand watch" -l damp-limit -d 'Re-applies on one interface within --damp-window before enforcing stops there' -r
complete -c ethcfg -n "__fish_ethcfg_using_subcommand watch" -l damp-window -d 'The damping window, in seconds' -r
complete -c ethcfg -n "__fish_ethcfg_using_subcommand watch" -l json -d 'Print one JSON object per action on stdout'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand watch" -s h -l help -d 'Print help'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand watch" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand generate" -s V -l version -d 'Print version'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "show" -d 'Show the features of interfaces, like `ethtool -k` (all interfaces when none is named)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "set" -d 'Set features and other ethtool settings, and report what actually changed'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "apply" -d 'Apply a profile to interfaces: plan, record, set, verify; roll back on failure'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "check" -d 'Check whether interfaces match a profile now (exit 4 and the drifted features if not)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "revert" -d 'Restore what apply/set changed on interfaces, as before the first recorded change'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "profiles" -d 'List the profiles, or show one'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "doctor" -d 'Diagnose NIC trouble from the kernel log: e1000e hangs, igc link drops, r8169 transmit timeouts, ice DDP packages, iSCSI heartbeats'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "impact" -d 'Show what unloading a kernel module takes with it, before anyone runs rmmod or modprobe -r'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "monitor" -d 'Print feature, settings and link changes as they happen, like `ethtool --monitor`'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "watch" -d 'Keep the configuration\'s bindings applied: on hotplug, driver reload, rename, and drift'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "generate" -d 'Write the man page or shell completions (for packagers)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and not __fish_seen_subcommand_from show set apply check revert profiles doctor impact monitor watch generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "list" -d 'List every profile: built-in and from the profile directory (the default)'
complete -c ethcfg -n "__fish_ethcfg_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "show" -d 'Show one profile in full'
