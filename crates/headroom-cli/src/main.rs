//! The `headroom` binary: parses arguments, calls the library, prints.
//!
//! It is glue and must stay glue: no arithmetic, no rendering, no config
//! merging lives here. Errors print as `headroom: ` and their cause chain,
//! with a non-zero exit; a closed pipe is not an error. Nothing is printed or
//! written until everything asked for has been computed.

// The argument structs' doc comments are the command-line help, where
// `<profile>` is the placeholder a user reads and `[observe]` a TOML table;
// rustdoc would take them for HTML and a link.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use headroom::config::{self, Sources};
use headroom::registry::{self, LoadedProfile, Registry};
use headroom::render::{self, Format};

#[derive(Parser)]
#[command(
    name = "headroom",
    version,
    after_help = "Examples:\n  headroom profiles\n  headroom plan leadgen-insurance --format md\n  headroom audit leadgen-insurance\n  headroom explain leadgen-insurance postgres\n  headroom plan leadgen-insurance --set headroom=0.3\n  headroom diff leadgen-insurance --set milestones.12-months.drivers.users=20000\n  headroom calc erlang-c --arrival-rate 100 --service-time 0.2 --target-p95 0.62\n  headroom calibrate leadgen-insurance api locust_stats_history.csv --as concurrency\n  headroom simulate leadgen-insurance --draws 5000\n  headroom sensitivity leadgen-insurance",
    about = "Capacity planning from system-profile plugins: replicas, instance sizes, cost and runway, with the arithmetic to check them"
)]
struct Cli {
    /// Directory of profile plugins (repeatable); default: plugins/ beside
    /// the binary, or target/plugins after `cargo xtask build`.
    #[arg(long, global = true, env = "HEADROOM_PLUGIN_DIR", value_delimiter = ':')]
    plugin_dir: Vec<PathBuf>,
    /// Directory of config files (default.toml, <profile>.toml); default:
    /// ./config, else config/ beside the binary or the workspace.
    #[arg(long, global = true, env = "HEADROOM_CONFIG_DIR")]
    config_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every loaded profile: id, version, build (optimised or debug), source document, file.
    Profiles,
    /// Plan one profile, or all of them.
    Plan {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        layers: Layers,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Months ahead, at most 1200 (overrides `horizon_months`).
        #[arg(long)]
        months: Option<u32>,
        /// Also draw the utilisation today's deployment would run at, month
        /// by month (or each tier's as planned), as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        /// Also draw the monthly cost by tier beside the document's totals
        /// as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        cost_chart: Option<PathBuf>,
        /// Also draw the `[commitment]` term month by month, the committed
        /// units and those above them on demand against all on demand, as
        /// an SVG chart to this file (a profile that prices a commitment).
        #[arg(long, value_name = "SVG")]
        commitment_chart: Option<PathBuf>,
    },
    /// What a change does to the plan: the profile planned without and with
    /// this command's --config and --set layers, compared milestone by
    /// milestone and tier by tier, with each tier's runway.
    Diff {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        layers: Layers,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Months ahead, at most 1200 (overrides `horizon_months`).
        #[arg(long)]
        months: Option<u32>,
        /// Also run the Monte Carlo both ways over this many draws (the same
        /// seed, so the same draws) and compare each milestone's P50, P90
        /// and P99 monthly cost; `auto`: as many as settle the run without
        /// the change (see `simulate --draws`), the same number with it.
        #[arg(long, value_parser = parse_draws)]
        draws: Option<headroom::simulate::DrawCount>,
        /// Seed of those draws (default: `uncertainty.seed`, else 42).
        #[arg(long, requires = "draws")]
        seed: Option<u64>,
        /// Also draw the total monthly cost without and with the change, and
        /// the runways it moves, as an SVG chart to this file (one profile).
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
    },
    /// The document's published plan against the computed plan.
    Audit {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        layers: Layers,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The arithmetic of one tier at every milestone.
    Explain {
        /// Profile id.
        profile: String,
        /// Tier key.
        tier: String,
        #[command(flatten)]
        layers: Layers,
        /// Months ahead, at most 1200 (overrides `horizon_months`).
        #[arg(long)]
        months: Option<u32>,
    },
    /// The merged configuration, each value with the layer it came from.
    Config {
        /// Profile id.
        profile: String,
        /// Only these keys and what lies under them (e.g. `tiers.api`, `headroom`).
        keys: Vec<String>,
        #[command(flatten)]
        layers: Layers,
    },
    /// Fit a tier's capacity from a load-test file (USL) and write it to
    /// <config dir>/<profile>.calibrated.toml, which later plans merge.
    Calibrate {
        /// Profile id.
        profile: String,
        /// Tier key.
        tier: String,
        /// Load-test file (plain CSV, Locust, JMeter, k6).
        file: PathBuf,
        /// Capacity dimension (default: the tier's only one).
        #[arg(long)]
        dimension: Option<String>,
        /// Instance key (default: the tier's only one).
        #[arg(long)]
        instance: Option<String>,
        /// What the dimension counts: work a second (peak throughput X(N*)),
        /// work in flight (peak concurrency N*), or `units`: the file's
        /// concurrency is the tier's unit count (replicas), and the fit is its
        /// USL across units (tiers.<tier>.scalability).
        #[arg(long = "as", value_enum, default_value_t = MeasureArg::Throughput)]
        measure: MeasureArg,
        /// Also draw the fit as an SVG chart to this file (as `calc usl --chart`).
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        #[command(flatten)]
        layers: Layers,
    },
    /// Measure today's drivers and loads in Prometheus (the profile's
    /// [observe] queries) and read them against the plan: the month of its
    /// growth each driver has reached, the units the measured demand needs
    /// beside today's, each measured load against the modelled one, and the
    /// runway from here.
    Observe {
        /// Profile id.
        profile: String,
        /// Prometheus's address, e.g. http://prometheus:9090 (over `observe.prometheus`).
        #[arg(long, value_name = "URL")]
        prometheus: Option<String>,
        /// When to measure: Unix seconds or RFC 3339 (default: now).
        #[arg(long)]
        at: Option<String>,
        /// Also fit each measured driver's growth to its history over this
        /// window (28d, 6w, 36h): its monthly rate beside the plan's, when it
        /// reaches each milestone, and the runway if it keeps growing so.
        #[arg(long, value_name = "WINDOW")]
        trend: Option<String>,
        /// With --trend, the swings taken out beside each trend: `auto`
        /// (each cycle the window and its samples can show), `none`,
        /// `daily`, `weekly` or `daily,weekly`.
        #[arg(long, value_name = "CYCLES", default_value = "auto", requires = "trend")]
        seasonality: headroom::trend::Seasonality,
        /// Also draw each measured driver on its growth curve as an SVG
        /// chart to this file (a profile with dated milestones).
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        /// Output format (table, json, csv or md).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        #[command(flatten)]
        layers: Layers,
    },
    /// Monte Carlo over the inputs in [uncertainty.inputs]: P50/P90/P99 units
    /// and cost per milestone and tier and per month, and per month the
    /// probability that today's deployment has broken its headroom and that
    /// each trigger read on it has fired. Seeded, and the same on any thread
    /// count.
    Simulate {
        /// Profile id.
        profile: String,
        /// Draws (default: `uncertainty.draws`, else 1000), or `auto`: 1,000,
        /// then four times as many until every figure's 95% interval lies
        /// within 1% of it (a unit, a percentage point) or spans a single
        /// step of a figure that moves in steps, at most 4,096,000.
        #[arg(long, value_parser = parse_draws)]
        draws: Option<headroom::simulate::DrawCount>,
        /// Seed (default: `uncertainty.seed`, else 42).
        #[arg(long)]
        seed: Option<u64>,
        /// Months ahead, at most 1200 (overrides `horizon_months`).
        #[arg(long)]
        months: Option<u32>,
        /// Plan every draw in full (configuration check and all) instead of
        /// running the compiled model: the slow reference, ~40 µs a draw against under 1 µs.
        #[arg(long)]
        exact: bool,
        /// Output format (table, json, csv or md).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Also draw the units each month needs over the draws (P50 a line,
        /// bands to P90 and P99, the document's own figures marked) as an
        /// SVG chart to this file; by milestone without dated growth.
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        /// Also draw, month by month, the chance that today's deployment has
        /// broken its headroom (per tier and for any) as an SVG chart to this
        /// file (a profile with dated growth and today's deployment).
        #[arg(long, value_name = "SVG")]
        odds_chart: Option<PathBuf>,
        /// Also draw, month by month, the chance that each trigger read on
        /// today's deployment (utilisation, latency, queue depth) has fired,
        /// with the month the plan has it fire, as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        triggers_chart: Option<PathBuf>,
        /// Also draw the `[commitment]` term month by month on average over
        /// the draws (the committed units, those above them on demand, all on
        /// demand) as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        commitment_chart: Option<PathBuf>,
        #[command(flatten)]
        layers: Layers,
    },
    /// Which uncertain input moves the plan most: each alone from its P10 to
    /// its P90 (--low, --high), the others at their medians, ranked by the
    /// last milestone's total monthly cost (a tornado).
    Sensitivity {
        /// Profile id.
        profile: String,
        /// The low quantile each input is set to.
        #[arg(long, default_value_t = 0.1)]
        low: f64,
        /// The high quantile each input is set to.
        #[arg(long, default_value_t = 0.9)]
        high: f64,
        /// Months ahead, at most 1200 (overrides `horizon_months`).
        #[arg(long)]
        months: Option<u32>,
        /// Output format (table, json, csv or md).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Also draw the tornado (what each input alone does to the monthly
        /// cost) as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        #[command(flatten)]
        layers: Layers,
    },
    /// Each model on its own: erlang-c, erlang-b, ggc, usl, growth, littles-law, utilisation-law, commitment, headroom.
    Calc {
        #[command(subcommand)]
        model: CalcModel,
        /// Output format: table, md (a field | value table), json, or csv (a header and one row).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table, global = true)]
        format: OutputFormat,
    },
    /// Print the completion script of a shell, e.g. `headroom completions bash >
    /// ~/.local/share/bash-completion/completions/headroom` (zsh: a file `_headroom` on
    /// `$fpath`; fish: `~/.config/fish/completions/headroom.fish`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Write the manual pages, headroom.1 and one a command, into a directory
    /// (`cargo xtask generate` writes share/man/man1).
    #[command(hide = true)]
    Man {
        /// Directory to write into (it must exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the JSON Schema of `plan`, `audit` or `observe` JSON (`cargo xtask generate` writes schemas/).
    #[command(hide = true)]
    Schema {
        /// `plan`, `audit` or `observe`.
        #[arg(value_parser = ["plan", "audit", "observe"])]
        kind: String,
    },
    /// Write reports/<profile>.md, .json, .csv and .svg for every profile
    /// (whole files or none), then print a one-screen summary.
    Report {
        /// Output directory.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Also measure each profile that has an [observe] section in
        /// Prometheus and add what `observe` shows (a section, a chart and
        /// `<profile>.observed.json`); any failure writes nothing.
        #[arg(long)]
        observe: bool,
        /// Prometheus's address for --observe (over each `observe.prometheus`).
        #[arg(long, value_name = "URL", requires = "observe")]
        prometheus: Option<String>,
        /// When to measure, for --observe: Unix seconds or RFC 3339 (default: now).
        #[arg(long, requires = "observe")]
        at: Option<String>,
        /// Fit each measured driver's growth over this window, for --observe (28d).
        #[arg(long, value_name = "WINDOW", requires = "observe")]
        trend: Option<String>,
        /// The swings taken out beside each trend, for --trend (auto, none,
        /// daily, weekly, daily,weekly).
        #[arg(long, value_name = "CYCLES", default_value = "auto", requires = "trend")]
        seasonality: headroom::trend::Seasonality,
        #[command(flatten)]
        layers: Layers,
    },
}

#[derive(Subcommand)]
enum CalcModel {
    /// M/M/c queue: waiting, service level, response-time percentiles; or the
    /// fewest servers meeting a p50, p95 or p99 or a service-level target.
    ErlangC {
        /// Arrivals per second.
        #[arg(long, allow_negative_numbers = true)]
        arrival_rate: f64,
        /// Mean service time, seconds.
        #[arg(long, allow_negative_numbers = true)]
        service_time: f64,
        /// Servers to evaluate: a count, or counts and inclusive ranges
        /// (`50..60`, `40,45,50..55`) for a table of one row a count.
        #[arg(long, value_name = "COUNTS")]
        servers: Option<String>,
        /// Wait threshold for the service level, seconds.
        #[arg(long, allow_negative_numbers = true)]
        wait_threshold: Option<f64>,
        /// A depth of the queue (say an alert's 5,000 items): also report the
        /// chance that more than this many wait.
        #[arg(long, allow_negative_numbers = true)]
        queue_threshold: Option<f64>,
        /// Find the fewest servers whose median response time is at most this, seconds.
        #[arg(long, allow_negative_numbers = true)]
        target_p50: Option<f64>,
        /// Find the fewest servers whose p95 response time is at most this, seconds.
        #[arg(long, allow_negative_numbers = true)]
        target_p95: Option<f64>,
        /// Find the fewest servers whose p99 response time is at most this, seconds.
        #[arg(long, allow_negative_numbers = true)]
        target_p99: Option<f64>,
        /// Find the fewest servers answering this fraction within --wait-threshold.
        #[arg(long, allow_negative_numbers = true)]
        target_service_level: Option<f64>,
        /// With a range of --servers, also draw the response time's p50, p95
        /// and p99 against the server count as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
    },
    /// M/M/c/c loss system (no queue: an arrival finding every server busy
    /// is turned away, as by a connection pool that refuses): the blocking
    /// probability of a server count, or the fewest servers meeting a target.
    ErlangB {
        /// Arrivals per second.
        #[arg(long, allow_negative_numbers = true)]
        arrival_rate: f64,
        /// Mean holding (service) time, seconds.
        #[arg(long, allow_negative_numbers = true)]
        service_time: f64,
        /// Servers to evaluate: a count, or counts and inclusive ranges
        /// (`8..14`, `5,10..12`) for a table of one row a count.
        #[arg(long, value_name = "COUNTS")]
        servers: Option<String>,
        /// Find the fewest servers turning away at most this fraction of arrivals.
        #[arg(long, allow_negative_numbers = true)]
        target_blocking: Option<f64>,
    },
    /// G/G/c queue by the Allen-Cunneen approximation: as erlang-c, with the
    /// variability of arrivals and service times (coefficients of
    /// variation; 1 and 1 is M/M/c): the mean wait and response of a server
    /// count, or the fewest servers meeting a mean response time.
    Ggc {
        /// Arrivals per second.
        #[arg(long, allow_negative_numbers = true)]
        arrival_rate: f64,
        /// Mean service time, seconds.
        #[arg(long, allow_negative_numbers = true)]
        service_time: f64,
        /// Coefficient of variation (sd / mean) of the times between arrivals: 1 for Poisson arrivals.
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        arrival_cv: f64,
        /// Coefficient of variation of the service times: 1 for exponential, 0 for constant, 2 or more for a long tail.
        #[arg(long, allow_negative_numbers = true)]
        service_cv: f64,
        /// Servers to evaluate.
        #[arg(long)]
        servers: Option<u32>,
        /// Find the fewest servers whose mean response time is at most this, seconds.
        #[arg(long, allow_negative_numbers = true)]
        target_mean_response: Option<f64>,
    },
    /// Fit the Universal Scalability Law to load-test files.
    Usl {
        /// Files: plain CSV (concurrency,throughput), Locust stats history,
        /// JMeter JTL, k6 summary JSON or k6 JSON lines.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also draw the fit as an SVG chart to this file: the measurements,
        /// the fitted curve, linear scaling and the peak N*.
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        /// Predict the throughput at these concurrencies (comma-separated):
        /// X(N), its 95% confidence interval and the efficiency X(N)/(Nλ).
        #[arg(long, value_name = "N,...", value_delimiter = ',', allow_negative_numbers = true)]
        predict: Vec<f64>,
        /// The least concurrency that reaches these throughputs (comma-
        /// separated), on the curve's rising side: replicas or users for a
        /// target rate.
        #[arg(long, value_name = "X,...", value_delimiter = ',', allow_negative_numbers = true)]
        reach: Vec<f64>,
    },
    /// Fit a compound monthly growth rate to a history: CSV with a header
    /// `month,<series>` (months), `date,<series>` (YYYY-MM-DD) or
    /// `time,<series>` (Unix seconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS` UTC).
    Growth {
        /// The history file.
        file: PathBuf,
        /// Months from the last row until the series, growing at the fitted
        /// rate from its last value (with a swing taken out, from the
        /// trend at its busiest), reaches each of these values
        /// (comma-separated).
        #[arg(long, value_name = "V,...", value_delimiter = ',', allow_negative_numbers = true)]
        reach: Vec<f64>,
        /// Also draw the history, the fitted growth carried on and the
        /// rate's 95% band as an SVG chart to this file.
        #[arg(long, value_name = "SVG")]
        chart: Option<PathBuf>,
        /// The swings taken out beside the trend: `auto` (each cycle the
        /// history's span and sampling can show), `none`, `daily`,
        /// `weekly` or `daily,weekly`.
        #[arg(long, value_name = "CYCLES", default_value = "auto")]
        seasonality: headroom::trend::Seasonality,
    },
    /// Little's law L = λW: give two of the three.
    LittlesLaw {
        /// L: requests in flight.
        #[arg(long, allow_negative_numbers = true)]
        concurrency: Option<f64>,
        /// λ: requests per second.
        #[arg(long, allow_negative_numbers = true)]
        throughput: Option<f64>,
        /// W: seconds per request.
        #[arg(long, allow_negative_numbers = true)]
        response_time: Option<f64>,
    },
    /// The utilisation law U = X S / c: give two of the three.
    UtilisationLaw {
        /// U: the share of the time each server is busy, in [0, 1].
        #[arg(long, allow_negative_numbers = true)]
        utilisation: Option<f64>,
        /// X: requests completed a second.
        #[arg(long, allow_negative_numbers = true)]
        throughput: Option<f64>,
        /// S: seconds of service a request.
        #[arg(long, allow_negative_numbers = true)]
        service_time: Option<f64>,
        /// c: servers sharing the work.
        #[arg(long, default_value_t = 1)]
        servers: u32,
    },
    /// Committed-use pricing (reserved instances, savings plans): how many
    /// units to commit to for a term, from the units each month needs: a
    /// unit pays committed when needed for more of the term than the
    /// discount leaves to pay.
    Commitment {
        /// Units each month of the term needs, one a month, comma-separated
        /// (`3,5,8,10,15,20,25,30,34,38,42,46`).
        #[arg(long, value_name = "N,...", value_delimiter = ',', required = true)]
        units: Vec<u32>,
        /// Share off the on-demand price, strictly between 0 and 1.
        #[arg(long, allow_negative_numbers = true)]
        discount: f64,
        /// On-demand price of a unit an hour: the term's costs in money
        /// (730 h a month) beside its unit-months.
        #[arg(long, allow_negative_numbers = true)]
        hourly_price: Option<f64>,
    },
    /// The headroom rule: units for a load.
    Headroom {
        /// Load, in the capacity's unit.
        #[arg(long, allow_negative_numbers = true)]
        load: f64,
        /// Capacity of one unit.
        #[arg(long, allow_negative_numbers = true)]
        capacity: f64,
        /// Spare fraction kept, in [0, 1).
        #[arg(long, default_value_t = 0.2, allow_negative_numbers = true)]
        headroom: f64,
        /// Fewest units.
        #[arg(long, default_value_t = 0)]
        min_units: u32,
        /// N+k spare units.
        #[arg(long, default_value_t = 0)]
        redundancy: u32,
        /// Units are a multiple of this.
        #[arg(long, default_value_t = 1)]
        zones: u32,
    },
}

#[derive(Args)]
struct Target {
    /// Profile id.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    profile: Option<String>,
    /// Every loaded profile.
    #[arg(long)]
    all: bool,
}

#[derive(Args, Clone, Default)]
struct Layers {
    /// A TOML file merged over the profile's config (repeatable).
    #[arg(long = "config", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Set one key, e.g. --set headroom=0.3 (repeatable; wins over every file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum MeasureArg {
    Throughput,
    Concurrency,
    Units,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Table,
    Md,
    Json,
    Csv,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Md => Format::Markdown,
            OutputFormat::Json => Format::Json,
            OutputFormat::Csv => Format::Csv,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(text) => match std::io::stdout().write_all(text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("headroom: cannot write output: {e}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprint!("headroom: {error}");
            for cause in error.chain().skip(1) {
                eprint!(": {cause}");
            }
            eprintln!();
            ExitCode::FAILURE
        }
    }
}

/// Says on stderr when this headroom is an optimised build and the plugin
/// about to run a Monte Carlo is not: the demand mapping then runs
/// unoptimised, and a million lead-gen draws take about five times as long
/// (0.60 s against 0.11 s, hyperfine means), with nothing else to show why. It happens when
/// `cargo build --release` builds the host and `target/plugins` still holds
/// the debug plugins of an earlier `cargo xtask build` or `test`.
fn note_unoptimised(loaded: &LoadedProfile) {
    if !cfg!(debug_assertions) && loaded.optimised() == Some(false) {
        eprintln!(
            "headroom: note: plugin {} ({}) is an unoptimised (debug) build, so its Monte Carlo runs about five times slower than it would optimised: `cargo xtask build --release` builds host and plugins optimised",
            loaded.id(),
            loaded.path().display()
        );
    }
}

struct Context_ {
    registry: Registry,
    config_dir: Option<PathBuf>,
}

impl Context_ {
    fn sources(&self, layers: &Layers) -> Sources {
        Sources {
            config_dir: self.config_dir.clone(),
            files: layers.files.clone(),
            environment: true,
            known_profiles: self.registry.ids(),
            sets: layers.sets.clone(),
        }
    }

    fn targets(&self, target: &Target) -> Result<Vec<String>> {
        if target.all {
            if self.registry.profiles().is_empty() {
                bail!("no profile plugins found; run `cargo xtask build` or pass --plugin-dir");
            }
            Ok(self.registry.ids())
        } else {
            let id = target.profile.clone().unwrap_or_default();
            self.registry.get(&id)?;
            Ok(vec![id])
        }
    }

    fn plan(
        &self,
        id: &str,
        layers: &Layers,
        months: Option<u32>,
    ) -> Result<(headroom::plan::Plan, config::LayeredConfig)> {
        let profile = self.registry.get(id)?;
        let layered = config::load(profile, &self.sources(layers))?;
        let plan = headroom::plan::plan(profile, &layered, months)?;
        Ok((plan, layered))
    }
}

fn open(cli: &Cli) -> Result<Context_> {
    let exe = std::env::current_exe().ok();
    let registry = if cli.plugin_dir.is_empty() {
        let dirs: Vec<PathBuf> =
            exe.as_deref().and_then(registry::default_dir).into_iter().collect();
        Registry::scan(&dirs, false)?
    } else {
        Registry::scan(&cli.plugin_dir, true)?
    };
    let config_dir = config::find_config_dir(cli.config_dir.as_deref(), exe.as_deref());
    if let Some(dir) = &cli.config_dir {
        if !dir.is_dir() {
            bail!("config directory {} does not exist", dir.display());
        }
    }
    Ok(Context_ { registry, config_dir })
}

/// `headroom completions <shell>`: the shell's completion script.
fn completions(shell: clap_complete::Shell) -> Result<String> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut described(), "headroom", &mut script);
    String::from_utf8(script).context("the completion script is not UTF-8")
}

/// `headroom man --out DIR`: a manual page a command into `out`.
fn manual_pages(out: &Path) -> Result<String> {
    if !out.is_dir() {
        bail!("{} is not a directory", out.display());
    }
    clap_mangen::generate_to(described(), out)
        .with_context(|| format!("cannot write the manual pages into {}", out.display()))?;
    Ok(String::new())
}

/// The command line as clap describes it, for completions and manual pages:
/// environment variables named but not their values here, so that what is
/// generated does not depend on the shell it was generated in.
fn described() -> clap::Command {
    fn hide_env_values(command: clap::Command) -> clap::Command {
        command.mut_args(|arg| arg.hide_env_values(true)).mut_subcommands(hide_env_values)
    }
    hide_env_values(<Cli as clap::CommandFactory>::command())
}

fn run(cli: Cli) -> Result<String> {
    // What needs no plugin is answered before any is loaded.
    match &cli.command {
        Command::Schema { kind } => return Ok(headroom::schema(kind)),
        Command::Completions { shell } => return completions(*shell),
        Command::Man { out } => return manual_pages(out),
        _ => {}
    }
    if let Command::Calc { model, format } = &cli.command {
        return calc(model, *format);
    }
    let context = open(&cli)?;
    match &cli.command {
        Command::Profiles => {
            let mut out = String::new();
            if context.registry.profiles().is_empty() {
                out.push_str(
                    "no profile plugins found; run `cargo xtask build` or pass --plugin-dir\n",
                );
            }
            for p in context.registry.profiles() {
                // How the plugin was built: a debug plugin runs a Monte Carlo
                // about five times slower (see `note_unoptimised`); a plugin
                // from before the ABI said so is `unknown`.
                let build = match p.optimised() {
                    Some(true) => "optimised",
                    Some(false) => "debug",
                    None => "unknown",
                };
                out.push_str(&format!(
                    "{}\t{}\t{build}\t{}\t{}\n",
                    p.id(),
                    p.version(),
                    p.source(),
                    p.path().display()
                ));
            }
            Ok(out)
        }
        Command::Plan { target, layers, format, months, chart, cost_chart, commitment_chart } => {
            let ids = context.targets(target)?;
            let asked: Vec<&PathBuf> =
                [chart, cost_chart, commitment_chart].into_iter().flatten().collect();
            if let (Some(path), true) = (asked.first(), ids.len() > 1) {
                bail!(
                    "{}: a chart draws one profile's plan; name the profile instead of --all",
                    path.display()
                );
            }
            let mut charts: Vec<(PathBuf, String)> = Vec::new();
            let mut texts = Vec::new();
            for id in &ids {
                let (plan, layered) = context.plan(id, layers, *months)?;
                if let Some(path) = chart {
                    charts.push((path.clone(), render::runway_svg(&plan)));
                }
                if let Some(path) = cost_chart {
                    let published =
                        render::published_figures(&plan, &layered.config, "monthly_cost");
                    charts.push((path.clone(), render::cost_svg(&plan, &published)));
                }
                if let Some(path) = commitment_chart {
                    let Some(svg) = render::commitment_svg(&plan) else {
                        return Err(no_commitment_chart(path, id, plan.commitment.as_ref()));
                    };
                    charts.push((path.clone(), svg));
                }
                texts.push(render::plan(&plan, (*format).into())?);
            }
            write_whole(&charts)?;
            Ok(joined(texts, *format))
        }
        Command::Diff { target, layers, format, months, draws, seed, chart } => {
            if layers.files.is_empty() && layers.sets.is_empty() {
                bail!("diff compares each plan with the plan under a change: give the change as --set KEY=VALUE or --config FILE");
            }
            let change: Vec<String> = layers
                .files
                .iter()
                .map(|f| format!("--config {}", f.display()))
                .chain(layers.sets.iter().map(|s| format!("--set {s}")))
                .collect();
            let ids = context.targets(target)?;
            if let (Some(path), true) = (chart, ids.len() > 1) {
                bail!(
                    "--chart {}: draws one profile's change; name the profile instead of --all",
                    path.display()
                );
            }
            let mut diffs = Vec::new();
            let mut svg = None;
            for id in &ids {
                let (before, base) = context.plan(id, &Layers::default(), *months)?;
                let (after, changed) = context.plan(id, layers, *months)?;
                let mut diff = headroom::diff::diff(&before, &after, change.clone());
                if chart.is_some() {
                    svg = Some(render::diff_svg(&before, &after, &diff));
                }
                if let Some(draws) = draws {
                    // One seed both ways: the change's own, else the profile's.
                    let seed = seed.or(base.config.uncertainty.as_ref().map(|u| u.seed));
                    let loaded = context.registry.get(id)?;
                    note_unoptimised(loaded);
                    let simulate = |layered, draws| {
                        let options = headroom::simulate::Options {
                            draws: Some(draws),
                            seed,
                            months: *months,
                            exact: false,
                        };
                        headroom::simulate::simulate_with(loaded, layered, &options, &|_, _| {})
                    };
                    // `auto` settles the run without the change; the run with
                    // it makes as many draws, and so the same ones.
                    let without = simulate(&base, *draws)?;
                    let count = headroom::simulate::DrawCount::Count(without.draws);
                    diff = headroom::diff::with_uncertainty(
                        diff,
                        &without,
                        &simulate(&changed, count)?,
                    );
                }
                diffs.push(diff);
            }
            let texts = diffs.iter().map(|d| render::diff(d, (*format).into())).collect();
            if let (Some(path), Some(svg)) = (chart, svg) {
                write_atomically(path, &svg)?;
            }
            Ok(joined(texts, *format))
        }
        Command::Audit { target, layers, format } => {
            let ids = context.targets(target)?;
            let texts = ids
                .iter()
                .map(|id| {
                    let (plan, layered) = context.plan(id, layers, None)?;
                    let audit = headroom::audit::audit(&plan, &layered);
                    Ok(render::audit(&audit, (*format).into())?)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(joined(texts, *format))
        }
        Command::Explain { profile, tier, layers, months } => {
            let (plan, layered) = context.plan(profile, layers, *months)?;
            let mut text = render::explain(&plan, tier)?;
            if layered.config.uncertainty.is_some() {
                let loaded = context.registry.get(profile)?;
                let simulation =
                    headroom::simulate::simulate(loaded, &layered, None, None, *months)?;
                text.push_str(&render::explain_bands(&simulation, tier));
                let sensitivity =
                    headroom::simulate::sensitivity(loaded, &layered, 0.1, 0.9, *months)?;
                text.push_str(&render::explain_sensitivity(&sensitivity, tier));
            }
            Ok(text)
        }
        Command::Config { profile, keys, layers } => {
            let loaded = context.registry.get(profile)?;
            let layered = config::load(loaded, &context.sources(layers))?;
            let rows = if keys.is_empty() {
                layered.provenance()
            } else {
                let mut rows = Vec::new();
                for key in keys {
                    rows.extend(layered.provenance_under(profile, key)?);
                }
                rows
            };
            let width =
                rows.iter().map(|(k, v, _)| k.len() + v.len() + 3).max().unwrap_or(0).min(90);
            let mut out = format!(
                "# merged configuration of `{profile}`; each value with the layer it came from\n"
            );
            for (key, value, layer) in rows {
                let line = format!("{key} = {value}");
                out.push_str(&format!("{line:<width$}  # {layer}\n"));
            }
            Ok(out)
        }
        Command::Report { out, observe, prometheus, at, trend, seasonality, layers } => {
            let measure = observe.then(|| headroom::observe::Request {
                prometheus: prometheus.as_deref(),
                at: at.as_deref(),
                trend: trend.as_deref(),
                seasonality: seasonality.clone(),
            });
            report(&context, out, layers, measure.as_ref())
        }
        Command::Simulate {
            profile,
            draws,
            seed,
            months,
            exact,
            format,
            chart,
            odds_chart,
            triggers_chart,
            commitment_chart,
            layers,
        } => {
            let loaded = context.registry.get(profile)?;
            note_unoptimised(loaded);
            let layered = config::load(loaded, &context.sources(layers))?;
            // A progress bar on stderr, only for a person watching a long run:
            // it shows once a run has gone on for half a second, whichever
            // path it takes (the compiled model runs a million draws in well
            // under a second; a draw planned in full takes tens of µs). Its
            // length is each run's draws (`auto` makes several runs).
            let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
                let bar = indicatif::ProgressBar::with_draw_target(
                    None,
                    indicatif::ProgressDrawTarget::hidden(),
                );
                (bar, std::time::Instant::now())
            });
            let progress = |run: u32, done: u64| {
                if let Some((bar, started)) = &bar {
                    if bar.is_hidden() && started.elapsed().as_millis() >= 500 {
                        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    }
                    if bar.length() != Some(u64::from(run)) {
                        bar.set_length(u64::from(run));
                    }
                    bar.set_position(done);
                }
            };
            let options = headroom::simulate::Options {
                draws: *draws,
                seed: *seed,
                months: *months,
                exact: *exact,
            };
            let simulation =
                headroom::simulate::simulate_with(loaded, &layered, &options, &progress);
            if let Some((bar, _)) = &bar {
                bar.finish_and_clear();
            }
            let simulation = simulation?;
            // The charts are worked out before either is written, and both
            // before anything is printed.
            let mut charts = Vec::new();
            if let Some(path) = chart {
                let plan = headroom::plan::plan(loaded, &layered, *months)?;
                let mut figures = render::published_figures(&plan, &layered.config, "units");
                figures.extend(render::published_figures(&plan, &layered.config, "instance"));
                let Some(svg) = render::bands_svg(&simulation, &figures) else {
                    bail!(
                        "--chart {}: `{profile}` has no milestones or months to draw",
                        path.display()
                    );
                };
                charts.push((path.clone(), svg));
            }
            if let Some(path) = odds_chart {
                if simulation.breach.is_empty() {
                    bail!(
                        "--odds-chart {}: `{profile}` has no month-by-month runway to draw (it needs dated growth and today's deployment)",
                        path.display()
                    );
                }
                charts.push((path.clone(), render::simulation_svg(&simulation)));
            }
            if let Some(path) = triggers_chart {
                let Some(svg) = render::triggers_svg(&simulation) else {
                    bail!(
                        "--triggers-chart {}: `{profile}` reads no trigger on today's deployment month by month (it needs dated growth, today's deployment, and a trigger of kind utilisation, latency or queue-depth)",
                        path.display()
                    );
                };
                charts.push((path.clone(), svg));
            }
            if let Some(path) = commitment_chart {
                let Some(svg) = render::drawn_commitment_svg(&simulation) else {
                    return Err(no_commitment_chart(path, profile, simulation.commitment.as_ref()));
                };
                charts.push((path.clone(), svg));
            }
            write_whole(&charts)?;
            if let Some(why) = &simulation.planned_in_full {
                eprintln!("headroom: note: {why}");
            }
            match format {
                OutputFormat::Json => {
                    Ok(format!("{}\n", serde_json::to_string_pretty(&simulation)?))
                }
                OutputFormat::Table => Ok(render::simulation(&simulation)),
                OutputFormat::Csv => Ok(render::simulation_csv(&simulation)),
                OutputFormat::Md => Ok(render::simulation_markdown(&simulation)),
            }
        }
        Command::Observe { profile, prometheus, at, trend, seasonality, chart, format, layers } => {
            let loaded = context.registry.get(profile)?;
            let layered = config::load(loaded, &context.sources(layers))?;
            let request = headroom::observe::Request {
                prometheus: prometheus.as_deref(),
                at: at.as_deref(),
                trend: trend.as_deref(),
                seasonality: seasonality.clone(),
            };
            let observation = headroom::observe::observe(loaded, &layered, &request)?;
            if let Some(path) = chart {
                let Some(svg) = render::observation_svg(&observation) else {
                    bail!("observe --chart draws drivers on their growth curve, and `{profile}` has no dated milestones: its milestones are deployment sizes");
                };
                write_atomically(path, &svg)?;
            }
            Ok(render::observation(&observation, (*format).into()))
        }
        Command::Sensitivity { profile, low, high, months, format, chart, layers } => {
            let loaded = context.registry.get(profile)?;
            let layered = config::load(loaded, &context.sources(layers))?;
            let sensitivity =
                headroom::simulate::sensitivity(loaded, &layered, *low, *high, *months)?;
            if let Some(path) = chart {
                write_atomically(path, &render::sensitivity_svg(&sensitivity))?;
            }
            Ok(render::sensitivity(&sensitivity, (*format).into()))
        }
        Command::Calibrate { profile, tier, file, dimension, instance, measure, chart, layers } => {
            let loaded = context.registry.get(profile)?;
            let layered = config::load(loaded, &context.sources(layers))?;
            let Some(dir) = context.config_dir.as_deref() else {
                bail!("no config directory to write the calibration to: pass --config-dir");
            };
            let request = headroom::calibrate::Request {
                tier,
                file,
                dimension: dimension.as_deref(),
                instance: instance.as_deref(),
                measure: match measure {
                    MeasureArg::Throughput => headroom::calibrate::Measure::Throughput,
                    MeasureArg::Concurrency => headroom::calibrate::Measure::Concurrency,
                    MeasureArg::Units => headroom::calibrate::Measure::Units,
                },
            };
            let headroom::calibrate::Calibrated { calibration, path, text, redrawn, fit } =
                headroom::calibrate::calibrate(profile, &layered, dir, &request)?;
            // Check the new layer loads before writing it.
            let mut check = context.sources(layers);
            let staging = tempfile_in(dir, &text)?;
            check.files.push(staging.clone());
            let checked = config::load(loaded, &check);
            let _ = std::fs::remove_file(&staging);
            checked?;
            // The chart and the layer together: a path either cannot be
            // written to leaves the layer as it was.
            let mut files = vec![(path.clone(), text)];
            if let Some(chart) = chart {
                files.push((chart.clone(), render::usl_svg(&fit)));
            }
            write_whole(&files)?;
            let peak = |v: Option<f64>| {
                v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "none (κ = 0)".into())
            };
            let what = match calibration.measure.as_str() {
                "units" => "scalability across units (tiers.<tier>.scalability)".to_string(),
                measure => {
                    format!("{} = {:.3} (peak {measure})", calibration.dimension, calibration.value)
                }
            };
            let redrawn = match redrawn {
                Some((key, drawn)) => format!(
                    "; `headroom simulate` draws `{key}` as {}, its spread kept around the new value",
                    serde_json::to_string(&drawn)?
                ),
                None => String::new(),
            };
            Ok(format!(
                "{profile} {tier}: {what}; USL fit: σ = {:.5}, κ = {:.3e}, λ = {:.3}, R² = {:.4}, N* = {}, X(N*) = {} from {} ({}, {} points)\nwrote {}; every plan of `{profile}` now uses it{redrawn}\n",
                calibration.sigma,
                calibration.kappa,
                calibration.lambda,
                calibration.r_squared,
                peak(calibration.peak_concurrency),
                peak(calibration.peak_throughput),
                calibration.file,
                calibration.format,
                calibration.points,
                path.display()
            ))
        }
        Command::Calc { model, format } => calc(model, *format),
        Command::Schema { kind } => Ok(headroom::schema(kind)),
        Command::Completions { shell } => completions(*shell),
        Command::Man { out } => manual_pages(out),
    }
}

fn tempfile_in(dir: &Path, text: &str) -> Result<PathBuf> {
    let path = dir.join(format!(".headroom-check-{}.toml", std::process::id()));
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// `simulate --draws`: a count, or `auto`.
fn parse_draws(text: &str) -> std::result::Result<headroom::simulate::DrawCount, String> {
    use headroom::simulate::DrawCount;
    if text.eq_ignore_ascii_case("auto") {
        return Ok(DrawCount::Auto);
    }
    text.parse()
        .map(DrawCount::Count)
        .map_err(|_| format!("`{text}` is neither a count of draws nor `auto`"))
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    write_whole(&[(path.to_path_buf(), text.to_string())])
}

/// Writes every file whole or none of them: each to a temporary file beside
/// it first (a failure removes those written and names the file it was
/// for), then each renamed into place.
fn write_whole(files: &[(PathBuf, String)]) -> Result<()> {
    let mut written: Vec<(PathBuf, &Path)> = Vec::new();
    for (path, text) in files {
        let mut temporary = path.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        if let Err(error) = std::fs::write(&temporary, text) {
            for (temporary, _) in &written {
                let _ = std::fs::remove_file(temporary);
            }
            return Err(error).with_context(|| format!("cannot write {}", path.display()));
        }
        written.push((temporary, path));
    }
    for (temporary, path) in &written {
        std::fs::rename(temporary, path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Plans and audits every profile, then writes every report file through a
/// temporary file and a rename, so a report is whole or absent.
/// Every profile's report into `dir`; with `measure`, each profile that has
/// an `[observe]` section is measured too. Everything is worked out before
/// anything is written, and then written whole.
fn report(
    context: &Context_,
    dir: &Path,
    layers: &Layers,
    measure: Option<&headroom::observe::Request>,
) -> Result<String> {
    let ids = context.targets(&Target { profile: None, all: true })?;
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut summary =
        String::from("profile / milestone: units per tier, monthly cost; runway; audit\n");
    for id in &ids {
        let (plan, layered) = context.plan(id, layers, None)?;
        let audit = headroom::audit::audit(&plan, &layered);
        let mut markdown = render::plan_markdown(&plan, Some(&audit));
        summary.push_str(&render::summary(&plan, &audit));
        if layered.config.uncertainty.is_some() {
            let profile = context.registry.get(id)?;
            let simulation = headroom::simulate::simulate(profile, &layered, None, None, None)?;
            markdown.push('\n');
            markdown.push_str(&render::simulation_markdown(&simulation));
            summary.push_str(&render::simulation_summary(&simulation));
            if !simulation.breach.is_empty() {
                markdown.push_str(&format!("\n![Probability that today's deployment has broken its headroom]({id}.simulation.svg)\n"));
                files.push((
                    dir.join(format!("{id}.simulation.svg")),
                    render::simulation_svg(&simulation),
                ));
            }
            if let Some(svg) = render::triggers_svg(&simulation) {
                markdown.push_str(&format!("\n![Probability that each trigger on today's deployment has fired]({id}.triggers.svg)\n"));
                files.push((dir.join(format!("{id}.triggers.svg")), svg));
            }
            let mut figures = render::published_figures(&plan, &layered.config, "units");
            figures.extend(render::published_figures(&plan, &layered.config, "instance"));
            if let Some(svg) = render::bands_svg(&simulation, &figures) {
                let each = if simulation.monthly.is_empty() { "milestone" } else { "month" };
                markdown.push_str(&format!(
                    "\n![Units each {each} needs over the draws, P50, P90 and P99]({id}.bands.svg)\n"
                ));
                files.push((dir.join(format!("{id}.bands.svg")), svg));
            }
            // Which input moves the plan most, one at a time.
            let sensitivity = headroom::simulate::sensitivity(profile, &layered, 0.1, 0.9, None)?;
            summary.push_str(&render::sensitivity_summary(&sensitivity));
            markdown.push_str("\n## Sensitivity: which input moves the plan most\n\n");
            markdown.push_str(&render::sensitivity(&sensitivity, Format::Markdown));
            markdown.push_str(&format!(
                "\n![What each input alone does to the monthly cost]({id}.sensitivity.svg)\n"
            ));
            files.push((
                dir.join(format!("{id}.sensitivity.svg")),
                render::sensitivity_svg(&sensitivity),
            ));
        }
        if let Some(request) = measure {
            if layered.config.observe.is_some() {
                let profile = context.registry.get(id)?;
                let observation = headroom::observe::observe(profile, &layered, request)?;
                summary.push_str(&render::observation_summary(&observation));
                markdown.push_str("\n## Measured, against the plan\n\n");
                markdown.push_str(&render::observation(&observation, Format::Markdown));
                if let Some(svg) = render::observation_svg(&observation) {
                    markdown.push_str(&format!(
                        "\n![Each measured driver on its growth curve]({id}.observed.svg)\n"
                    ));
                    files.push((dir.join(format!("{id}.observed.svg")), svg));
                }
                files.push((
                    dir.join(format!("{id}.observed.json")),
                    render::observation(&observation, Format::Json),
                ));
            } else {
                summary.push_str("  not measured: no [observe] section\n");
            }
        }
        files.push((dir.join(format!("{id}.md")), markdown.clone()));
        files.push((dir.join(format!("{id}.json")), render::plan(&plan, Format::Json)?));
        files.push((dir.join(format!("{id}.csv")), render::plan(&plan, Format::Csv)?));
        files.push((dir.join(format!("{id}.svg")), render::runway_svg(&plan)));
        let published = render::published_figures(&plan, &layered.config, "monthly_cost");
        files.push((dir.join(format!("{id}.cost.svg")), render::cost_svg(&plan, &published)));
        if let Some(svg) = render::commitment_svg(&plan) {
            files.push((dir.join(format!("{id}.commitment.svg")), svg));
        }
        files.push((dir.join(format!("{id}.audit.json")), render::audit(&audit, Format::Json)?));
        // The same report as one page, each chart written above drawn inline.
        let html = render::report_html(&markdown, &format!("Capacity plan: {id}"), |name| {
            files
                .iter()
                .find(|(path, _)| path.file_name().is_some_and(|f| f == name))
                .map(|(_, svg)| svg.as_str())
        });
        files.push((dir.join(format!("{id}.html")), html));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_whole(&files)?;
    summary.push_str(&format!("wrote {} files to {}\n", files.len(), dir.display()));
    Ok(summary)
}

/// Several profiles' outputs in one: a JSON array, one CSV table (the
/// header once; every row names its profile), else each after the other.
fn joined(texts: Vec<String>, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json if texts.len() > 1 => format!("[\n{}]\n", texts.join(",\n")),
        OutputFormat::Csv => {
            let mut out = String::new();
            for (i, text) in texts.iter().enumerate() {
                let skip = usize::from(i > 0);
                for line in text.lines().skip(skip) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out
        }
        _ => texts.join("\n"),
    }
}

/// `calc erlang-c --servers 50..60`: a row a count, the counts that cannot
/// keep up named on stderr.
fn erlang_c_table(
    question: &headroom::calc::ErlangCQuestion,
    counts: &[u32],
    format: OutputFormat,
    chart: Option<&Path>,
) -> Result<String> {
    use headroom::calc;
    let sweep = calc::erlang_c_sweep(question, counts)?;
    if let Some(path) = chart {
        write_atomically(path, &headroom::render::erlang_c_svg(&sweep.rows))?;
    }
    let text = match format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(&sweep.rows)?),
        OutputFormat::Table => calc::render_rows_table(&sweep.rows),
        OutputFormat::Md => calc::render_rows_markdown(&sweep.rows),
        OutputFormat::Csv => calc::render_rows_csv(&sweep.rows),
    };
    if let Some(note) = sweep.unstable_note() {
        eprintln!("headroom: note: {note}");
    }
    Ok(text)
}

/// Why `--commitment-chart` draws nothing for `profile`: it prices no
/// commitment, or its commitment says why nothing was worked out.
fn no_commitment_chart(
    path: &Path,
    profile: &str,
    commitment: Option<&headroom::plan::CommitmentPlan>,
) -> anyhow::Error {
    let why = match commitment {
        None => {
            " prices no commitment: add a [commitment] section (discount, term_months)".to_string()
        }
        Some(c) => format!(": {}", c.note.as_deref().unwrap_or("its term runs no unit")),
    };
    anyhow::anyhow!("--commitment-chart {}: `{profile}`{why}", path.display())
}

/// `headroom calc`: needs no plugin and no config.
fn calc(model: &CalcModel, format: OutputFormat) -> Result<String> {
    use headroom::calc;
    fn out<T: serde::Serialize>(value: &T, format: OutputFormat) -> Result<String> {
        match format {
            OutputFormat::Json => Ok(format!("{}\n", serde_json::to_string_pretty(value)?)),
            OutputFormat::Table => Ok(calc::render_table(value)),
            OutputFormat::Md => Ok(calc::render_markdown(value)),
            OutputFormat::Csv => Ok(calc::render_csv(value)),
        }
    }
    match model {
        CalcModel::ErlangC {
            arrival_rate,
            service_time,
            servers,
            wait_threshold,
            queue_threshold,
            target_p50,
            target_p95,
            target_p99,
            target_service_level,
            chart,
        } => {
            let counts =
                servers.as_deref().map(|spec| calc::server_counts("erlang-c", spec)).transpose()?;
            let question = calc::ErlangCQuestion {
                arrival_rate: *arrival_rate,
                service_time: *service_time,
                servers: counts.as_ref().and_then(|c| c.first().copied()),
                wait_threshold: *wait_threshold,
                queue_threshold: *queue_threshold,
                target_p50: *target_p50,
                target_p95: *target_p95,
                target_p99: *target_p99,
                target_service_level: *target_service_level,
            };
            match counts {
                Some(counts) if counts.len() > 1 => {
                    erlang_c_table(&question, &counts, format, chart.as_deref())
                }
                _ if chart.is_some() => Err(anyhow::anyhow!(
                    "calc erlang-c: --chart draws a table of server counts; give --servers a range such as 40..60"
                )),
                _ => out(&calc::erlang_c(&question)?, format),
            }
        }
        CalcModel::ErlangB { arrival_rate, service_time, servers, target_blocking } => {
            let counts =
                servers.as_deref().map(|spec| calc::server_counts("erlang-b", spec)).transpose()?;
            let at =
                |servers| calc::erlang_b(*arrival_rate, *service_time, servers, *target_blocking);
            match counts.as_deref() {
                // A loss system is stable at any count: a row each.
                Some(counts) if counts.len() > 1 => {
                    let rows =
                        counts.iter().map(|&c| at(Some(c))).collect::<Result<Vec<_>, _>>()?;
                    Ok(match format {
                        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rows)?),
                        OutputFormat::Table => calc::render_rows_table(&rows),
                        OutputFormat::Md => calc::render_rows_markdown(&rows),
                        OutputFormat::Csv => calc::render_rows_csv(&rows),
                    })
                }
                counts => out(&at(counts.and_then(|c| c.first().copied()))?, format),
            }
        }
        CalcModel::Ggc {
            arrival_rate,
            service_time,
            arrival_cv,
            service_cv,
            servers,
            target_mean_response,
        } => out(
            &calc::ggc(
                *arrival_rate,
                *service_time,
                *arrival_cv,
                *service_cv,
                *servers,
                *target_mean_response,
            )?,
            format,
        ),
        CalcModel::Usl { files, chart, predict, reach } => {
            let fit = calc::usl(files, predict, reach)?;
            let text = out(&fit, format)?;
            if let Some(path) = chart {
                write_atomically(path, &headroom::render::usl_svg(&fit))?;
            }
            Ok(text)
        }
        CalcModel::Growth { file, reach, chart, seasonality } => {
            let fit = calc::growth(file, reach, seasonality)?;
            let text = out(&fit, format)?;
            if let Some(path) = chart {
                write_atomically(path, &headroom::render::growth_svg(&fit))?;
            }
            Ok(text)
        }
        CalcModel::LittlesLaw { concurrency, throughput, response_time } => {
            out(&calc::littles(*concurrency, *throughput, *response_time)?, format)
        }
        CalcModel::UtilisationLaw { utilisation, throughput, service_time, servers } => {
            out(&calc::utilisation(*utilisation, *throughput, *service_time, *servers)?, format)
        }
        CalcModel::Commitment { units, discount, hourly_price } => {
            out(&calc::commitment(units, *discount, *hourly_price)?, format)
        }
        CalcModel::Headroom { load, capacity, headroom, min_units, redundancy, zones } => {
            let policy = headroom_kernel_policy(*headroom, *min_units, *redundancy, *zones);
            out(&calc::headroom(*load, *capacity, policy)?, format)
        }
    }
}

fn headroom_kernel_policy(
    headroom: f64,
    min_units: u32,
    redundancy: u32,
    zones: u32,
) -> headroom::calc::Policy {
    headroom::calc::Policy { headroom, min_units, redundancy, zones }
}
