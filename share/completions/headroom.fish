# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_headroom_global_optspecs
    string join \n plugin-dir= config-dir= h/help V/version
end

function __fish_headroom_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_headroom_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_headroom_using_subcommand
    set -l cmd (__fish_headroom_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c headroom -n "__fish_headroom_needs_command" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_needs_command" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_needs_command" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_needs_command" -s V -l version -d 'Print version'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "profiles" -d 'List every loaded profile: id, version, build (optimised or debug), source document, file'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "plan" -d 'Plan one profile, or all of them'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "diff" -d 'What a change does to the plan: the profile planned without and with this command\'s --config and --set layers, compared milestone by milestone and tier by tier, with each tier\'s runway'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "audit" -d 'The document\'s published plan against the computed plan'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "explain" -d 'The arithmetic of one tier at every milestone'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "config" -d 'The merged configuration, each value with the layer it came from'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "calibrate" -d 'Fit a tier\'s capacity from a load-test file (USL) and write it to <config dir>/<profile>.calibrated.toml, which later plans merge'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "observe" -d 'Measure today\'s drivers and loads in Prometheus (the profile\'s [observe] queries) and read them against the plan: the month of its growth each driver has reached, the units the measured demand needs beside today\'s, each measured load against the modelled one, and the runway from here'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "simulate" -d 'Monte Carlo over the inputs in [uncertainty.inputs]: P50/P90/P99 units and cost per milestone and tier and per month, and per month the probability that today\'s deployment has broken its headroom and that each trigger read on it has fired. Seeded, and the same on any thread count'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "sensitivity" -d 'Which uncertain input moves the plan most: each alone from its P10 to its P90 (--low, --high), the others at their medians, ranked by the last milestone\'s total monthly cost (a tornado)'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "calc" -d 'Each model on its own: erlang-c, erlang-b, ggc, usl, growth, littles-law, utilisation-law, commitment, headroom'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "completions" -d 'Print the completion script of a shell, e.g. `headroom completions bash > ~/.local/share/bash-completion/completions/headroom` (zsh: a file `_headroom` on `$fpath`; fish: `~/.config/fish/completions/headroom.fish`)'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "man" -d 'Write the manual pages, headroom.1 and one a command, into a directory (`cargo xtask generate` writes share/man/man1)'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "schema" -d 'Print the JSON Schema of `plan`, `audit` or `observe` JSON (`cargo xtask generate` writes schemas/)'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "report" -d 'Write reports/<profile>.md, .json, .csv and .svg for every profile (whole files or none), then print a one-screen summary'
complete -c headroom -n "__fish_headroom_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c headroom -n "__fish_headroom_using_subcommand profiles" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand profiles" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand profiles" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l format -d 'Output format' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l months -d 'Months ahead, at most 1200 (overrides `horizon_months`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l chart -d 'Also draw the utilisation today\'s deployment would run at, month by month (or each tier\'s as planned), as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l cost-chart -d 'Also draw the monthly cost by tier beside the document\'s totals as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l commitment-chart -d 'Also draw the `[commitment]` term month by month, the committed units and those above them on demand against all on demand, as an SVG chart to this file (a profile that prices a commitment)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand plan" -l all -d 'Every loaded profile'
complete -c headroom -n "__fish_headroom_using_subcommand plan" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l format -d 'Output format' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l months -d 'Months ahead, at most 1200 (overrides `horizon_months`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l draws -d 'Also run the Monte Carlo both ways over this many draws (the same seed, so the same draws) and compare each milestone\'s P50, P90 and P99 monthly cost; `auto`: as many as settle the run without the change (see `simulate --draws`), the same number with it' -r
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l seed -d 'Seed of those draws (default: `uncertainty.seed`, else 42)' -r
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l chart -d 'Also draw the total monthly cost without and with the change, and the runways it moves, as an SVG chart to this file (one profile)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand diff" -l all -d 'Every loaded profile'
complete -c headroom -n "__fish_headroom_using_subcommand diff" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand audit" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand audit" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand audit" -l format -d 'Output format' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand audit" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand audit" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand audit" -l all -d 'Every loaded profile'
complete -c headroom -n "__fish_headroom_using_subcommand audit" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand explain" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand explain" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand explain" -l months -d 'Months ahead, at most 1200 (overrides `horizon_months`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand explain" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand explain" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand explain" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand config" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand config" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand config" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand config" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand config" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l dimension -d 'Capacity dimension (default: the tier\'s only one)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l instance -d 'Instance key (default: the tier\'s only one)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l as -d 'What the dimension counts: work a second (peak throughput X(N*)), work in flight (peak concurrency N*), or `units`: the file\'s concurrency is the tier\'s unit count (replicas), and the fit is its USL across units (tiers.<tier>.scalability)' -r -f -a "throughput\t''
concurrency\t''
units\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l chart -d 'Also draw the fit as an SVG chart to this file (as `calc usl --chart`)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calibrate" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l prometheus -d 'Prometheus\'s address, e.g. http://prometheus:9090 (over `observe.prometheus`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l at -d 'When to measure: Unix seconds or RFC 3339 (default: now)' -r
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l trend -d 'Also fit each measured driver\'s growth to its history over this window (28d, 6w, 36h): its monthly rate beside the plan\'s, when it reaches each milestone, and the runway if it keeps growing so' -r
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l seasonality -d 'With --trend, the swings taken out beside each trend: `auto` (each cycle the window and its samples can show), `none`, `daily`, `weekly` or `daily,weekly`' -r
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l chart -d 'Also draw each measured driver on its growth curve as an SVG chart to this file (a profile with dated milestones)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l format -d 'Output format (table, json, csv or md)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand observe" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand observe" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l draws -d 'Draws (default: `uncertainty.draws`, else 1000), or `auto`: 1,000, then four times as many until every figure\'s 95% interval lies within 1% of it (a unit, a percentage point) or spans a single step of a figure that moves in steps, at most 4,096,000' -r
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l seed -d 'Seed (default: `uncertainty.seed`, else 42)' -r
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l months -d 'Months ahead, at most 1200 (overrides `horizon_months`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l format -d 'Output format (table, json, csv or md)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l chart -d 'Also draw the units each month needs over the draws (P50 a line, bands to P90 and P99, the document\'s own figures marked) as an SVG chart to this file; by milestone without dated growth' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l odds-chart -d 'Also draw, month by month, the chance that today\'s deployment has broken its headroom (per tier and for any) as an SVG chart to this file (a profile with dated growth and today\'s deployment)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l triggers-chart -d 'Also draw, month by month, the chance that each trigger read on today\'s deployment (utilisation, latency, queue depth) has fired, with the month the plan has it fire, as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l commitment-chart -d 'Also draw the `[commitment]` term month by month on average over the draws (the committed units, those above them on demand, all on demand) as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -l exact -d 'Plan every draw in full (configuration check and all) instead of running the compiled model: the slow reference, ~40 µs a draw against under 1 µs'
complete -c headroom -n "__fish_headroom_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l low -d 'The low quantile each input is set to' -r
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l high -d 'The high quantile each input is set to' -r
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l months -d 'Months ahead, at most 1200 (overrides `horizon_months`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l format -d 'Output format (table, json, csv or md)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l chart -d 'Also draw the tornado (what each input alone does to the monthly cost) as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand sensitivity" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "erlang-c" -d 'M/M/c queue: waiting, service level, response-time percentiles; or the fewest servers meeting a p50, p95 or p99 or a service-level target'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "erlang-b" -d 'M/M/c/c loss system (no queue: an arrival finding every server busy is turned away, as by a connection pool that refuses): the blocking probability of a server count, or the fewest servers meeting a target'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "ggc" -d 'G/G/c queue by the Allen-Cunneen approximation: as erlang-c, with the variability of arrivals and service times (coefficients of variation; 1 and 1 is M/M/c): the mean wait and response of a server count, or the fewest servers meeting a mean response time'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "usl" -d 'Fit the Universal Scalability Law to load-test files'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "growth" -d 'Fit a compound monthly growth rate to a history: CSV with a header `month,<series>` (months), `date,<series>` (YYYY-MM-DD) or `time,<series>` (Unix seconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS` UTC)'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "littles-law" -d 'Little\'s law L = λW: give two of the three'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "utilisation-law" -d 'The utilisation law U = X S / c: give two of the three'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "commitment" -d 'Committed-use pricing (reserved instances, savings plans): how many units to commit to for a term, from the units each month needs: a unit pays committed when needed for more of the term than the discount leaves to pay'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "headroom" -d 'The headroom rule: units for a load'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and not __fish_seen_subcommand_from erlang-c erlang-b ggc usl growth littles-law utilisation-law commitment headroom help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l arrival-rate -d 'Arrivals per second' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l service-time -d 'Mean service time, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l servers -d 'Servers to evaluate: a count, or counts and inclusive ranges (`50..60`, `40,45,50..55`) for a table of one row a count' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l wait-threshold -d 'Wait threshold for the service level, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l queue-threshold -d 'A depth of the queue (say an alert\'s 5,000 items): also report the chance that more than this many wait' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l target-p50 -d 'Find the fewest servers whose median response time is at most this, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l target-p95 -d 'Find the fewest servers whose p95 response time is at most this, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l target-p99 -d 'Find the fewest servers whose p99 response time is at most this, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l target-service-level -d 'Find the fewest servers answering this fraction within --wait-threshold' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l chart -d 'With a range of --servers, also draw the response time\'s p50, p95 and p99 against the server count as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-c" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l arrival-rate -d 'Arrivals per second' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l service-time -d 'Mean holding (service) time, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l servers -d 'Servers to evaluate: a count, or counts and inclusive ranges (`8..14`, `5,10..12`) for a table of one row a count' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l target-blocking -d 'Find the fewest servers turning away at most this fraction of arrivals' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from erlang-b" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l arrival-rate -d 'Arrivals per second' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l service-time -d 'Mean service time, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l arrival-cv -d 'Coefficient of variation (sd / mean) of the times between arrivals: 1 for Poisson arrivals' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l service-cv -d 'Coefficient of variation of the service times: 1 for exponential, 0 for constant, 2 or more for a long tail' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l servers -d 'Servers to evaluate' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l target-mean-response -d 'Find the fewest servers whose mean response time is at most this, seconds' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from ggc" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -l chart -d 'Also draw the fit as an SVG chart to this file: the measurements, the fitted curve, linear scaling and the peak N*' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -l predict -d 'Predict the throughput at these concurrencies (comma-separated): X(N), its 95% confidence interval and the efficiency X(N)/(Nλ)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -l reach -d 'The least concurrency that reaches these throughputs (comma- separated), on the curve\'s rising side: replicas or users for a target rate' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from usl" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -l reach -d 'Months from the last row until the series, growing at the fitted rate from its last value (with a swing taken out, from the trend at its busiest), reaches each of these values (comma-separated)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -l chart -d 'Also draw the history, the fitted growth carried on and the rate\'s 95% band as an SVG chart to this file' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -l seasonality -d 'The swings taken out beside the trend: `auto` (each cycle the history\'s span and sampling can show), `none`, `daily`, `weekly` or `daily,weekly`' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from growth" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -l concurrency -d 'L: requests in flight' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -l throughput -d 'λ: requests per second' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -l response-time -d 'W: seconds per request' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from littles-law" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l utilisation -d 'U: the share of the time each server is busy, in [0, 1]' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l throughput -d 'X: requests completed a second' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l service-time -d 'S: seconds of service a request' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l servers -d 'c: servers sharing the work' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from utilisation-law" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -l units -d 'Units each month of the term needs, one a month, comma-separated (`3,5,8,10,15,20,25,30,34,38,42,46`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -l discount -d 'Share off the on-demand price, strictly between 0 and 1' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -l hourly-price -d 'On-demand price of a unit an hour: the term\'s costs in money (730 h a month) beside its unit-months' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from commitment" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l load -d 'Load, in the capacity\'s unit' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l capacity -d 'Capacity of one unit' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l headroom -d 'Spare fraction kept, in [0, 1)' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l min-units -d 'Fewest units' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l redundancy -d 'N+k spare units' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l zones -d 'Units are a multiple of this' -r
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l format -d 'Output format: table, md (a field | value table), json, or csv (a header and one row)' -r -f -a "table\t''
md\t''
json\t''
csv\t''"
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from headroom" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "erlang-c" -d 'M/M/c queue: waiting, service level, response-time percentiles; or the fewest servers meeting a p50, p95 or p99 or a service-level target'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "erlang-b" -d 'M/M/c/c loss system (no queue: an arrival finding every server busy is turned away, as by a connection pool that refuses): the blocking probability of a server count, or the fewest servers meeting a target'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "ggc" -d 'G/G/c queue by the Allen-Cunneen approximation: as erlang-c, with the variability of arrivals and service times (coefficients of variation; 1 and 1 is M/M/c): the mean wait and response of a server count, or the fewest servers meeting a mean response time'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "usl" -d 'Fit the Universal Scalability Law to load-test files'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "growth" -d 'Fit a compound monthly growth rate to a history: CSV with a header `month,<series>` (months), `date,<series>` (YYYY-MM-DD) or `time,<series>` (Unix seconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS` UTC)'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "littles-law" -d 'Little\'s law L = λW: give two of the three'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "utilisation-law" -d 'The utilisation law U = X S / c: give two of the three'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "commitment" -d 'Committed-use pricing (reserved instances, savings plans): how many units to commit to for a term, from the units each month needs: a unit pays committed when needed for more of the term than the discount leaves to pay'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "headroom" -d 'The headroom rule: units for a load'
complete -c headroom -n "__fish_headroom_using_subcommand calc; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c headroom -n "__fish_headroom_using_subcommand completions" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand completions" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand completions" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand man" -l out -d 'Directory to write into (it must exist)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand man" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand man" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand man" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand schema" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand schema" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand schema" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand report" -l out -d 'Output directory' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand report" -l prometheus -d 'Prometheus\'s address for --observe (over each `observe.prometheus`)' -r
complete -c headroom -n "__fish_headroom_using_subcommand report" -l at -d 'When to measure, for --observe: Unix seconds or RFC 3339 (default: now)' -r
complete -c headroom -n "__fish_headroom_using_subcommand report" -l trend -d 'Fit each measured driver\'s growth over this window, for --observe (28d)' -r
complete -c headroom -n "__fish_headroom_using_subcommand report" -l seasonality -d 'The swings taken out beside each trend, for --trend (auto, none, daily, weekly, daily,weekly)' -r
complete -c headroom -n "__fish_headroom_using_subcommand report" -l config -d 'A TOML file merged over the profile\'s config (repeatable)' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand report" -l set -d 'Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file)' -r
complete -c headroom -n "__fish_headroom_using_subcommand report" -l plugin-dir -d 'Directory of profile plugins (repeatable); default: plugins/ beside the binary, or target/plugins after `cargo xtask build`' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand report" -l config-dir -d 'Directory of config files (default.toml, <profile>.toml); default: ./config, else config/ beside the binary or the workspace' -r -F
complete -c headroom -n "__fish_headroom_using_subcommand report" -l observe -d 'Also measure each profile that has an [observe] section in Prometheus and add what `observe` shows (a section, a chart and `<profile>.observed.json`); any failure writes nothing'
complete -c headroom -n "__fish_headroom_using_subcommand report" -s h -l help -d 'Print help'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "profiles" -d 'List every loaded profile: id, version, build (optimised or debug), source document, file'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "plan" -d 'Plan one profile, or all of them'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "diff" -d 'What a change does to the plan: the profile planned without and with this command\'s --config and --set layers, compared milestone by milestone and tier by tier, with each tier\'s runway'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "audit" -d 'The document\'s published plan against the computed plan'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "explain" -d 'The arithmetic of one tier at every milestone'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "config" -d 'The merged configuration, each value with the layer it came from'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "calibrate" -d 'Fit a tier\'s capacity from a load-test file (USL) and write it to <config dir>/<profile>.calibrated.toml, which later plans merge'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "observe" -d 'Measure today\'s drivers and loads in Prometheus (the profile\'s [observe] queries) and read them against the plan: the month of its growth each driver has reached, the units the measured demand needs beside today\'s, each measured load against the modelled one, and the runway from here'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "simulate" -d 'Monte Carlo over the inputs in [uncertainty.inputs]: P50/P90/P99 units and cost per milestone and tier and per month, and per month the probability that today\'s deployment has broken its headroom and that each trigger read on it has fired. Seeded, and the same on any thread count'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "sensitivity" -d 'Which uncertain input moves the plan most: each alone from its P10 to its P90 (--low, --high), the others at their medians, ranked by the last milestone\'s total monthly cost (a tornado)'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "calc" -d 'Each model on its own: erlang-c, erlang-b, ggc, usl, growth, littles-law, utilisation-law, commitment, headroom'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "completions" -d 'Print the completion script of a shell, e.g. `headroom completions bash > ~/.local/share/bash-completion/completions/headroom` (zsh: a file `_headroom` on `$fpath`; fish: `~/.config/fish/completions/headroom.fish`)'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "man" -d 'Write the manual pages, headroom.1 and one a command, into a directory (`cargo xtask generate` writes share/man/man1)'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "schema" -d 'Print the JSON Schema of `plan`, `audit` or `observe` JSON (`cargo xtask generate` writes schemas/)'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "report" -d 'Write reports/<profile>.md, .json, .csv and .svg for every profile (whole files or none), then print a one-screen summary'
complete -c headroom -n "__fish_headroom_using_subcommand help; and not __fish_seen_subcommand_from profiles plan diff audit explain config calibrate observe simulate sensitivity calc completions man schema report help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "erlang-c" -d 'M/M/c queue: waiting, service level, response-time percentiles; or the fewest servers meeting a p50, p95 or p99 or a service-level target'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "erlang-b" -d 'M/M/c/c loss system (no queue: an arrival finding every server busy is turned away, as by a connection pool that refuses): the blocking probability of a server count, or the fewest servers meeting a target'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "ggc" -d 'G/G/c queue by the Allen-Cunneen approximation: as erlang-c, with the variability of arrivals and service times (coefficients of variation; 1 and 1 is M/M/c): the mean wait and response of a server count, or the fewest servers meeting a mean response time'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "usl" -d 'Fit the Universal Scalability Law to load-test files'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "growth" -d 'Fit a compound monthly growth rate to a history: CSV with a header `month,<series>` (months), `date,<series>` (YYYY-MM-DD) or `time,<series>` (Unix seconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS` UTC)'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "littles-law" -d 'Little\'s law L = λW: give two of the three'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "utilisation-law" -d 'The utilisation law U = X S / c: give two of the three'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "commitment" -d 'Committed-use pricing (reserved instances, savings plans): how many units to commit to for a term, from the units each month needs: a unit pays committed when needed for more of the term than the discount leaves to pay'
complete -c headroom -n "__fish_headroom_using_subcommand help; and __fish_seen_subcommand_from calc" -f -a "headroom" -d 'The headroom rule: units for a load'
