//! The layered configuration of one profile.
//!
//! Layers, later ones winning: the plugin's embedded defaults,
//! `config/default.toml`, `config/<profile>.toml`,
//! `config/<profile>.calibrated.toml` (written by `headroom calibrate`), each `--config FILE`,
//! `HEADROOM_*` environment variables (`__` nests: `HEADROOM_TIERS__API__MIN_UNITS=3`;
//! `HEADROOM_<PROFILE>__…` applies to one profile only), then each
//! `--set key=value`. Every key is checked (unknown keys are errors, with a
//! suggestion), every number is checked (no negative, zero or NaN capacity,
//! headroom in [0, 1)), and an error names the key and the layer it came from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile as FigmentProfile, Provider};
use headroom_kernel::Shown;
use headroom_plugin_api::host::LoadedProfile;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The whole configuration of a profile, as merged from every layer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Spare fraction of every unit kept free, in [0, 1).
    pub headroom: f64,
    /// Months the runway looks ahead.
    pub horizon_months: u32,
    /// Relative difference of costs still called a match by the audit.
    #[serde(default)]
    pub cost_tolerance: f64,
    /// How drivers grow between milestones; absent for profiles whose
    /// milestones are deployment sizes rather than dates.
    #[serde(default)]
    pub growth: Option<Growth>,
    /// Milestone keys in the order reports show them.
    pub milestone_order: Vec<String>,
    /// Milestones by key.
    pub milestones: BTreeMap<String, Milestone>,
    /// Demand parameters the plugin's mapping reads, by name.
    #[serde(default)]
    pub demand: BTreeMap<String, f64>,
    /// Tier keys in sizing order: a tier's `fan_in` may only name earlier tiers.
    pub tier_order: Vec<String>,
    /// Tiers by key.
    pub tiers: BTreeMap<String, Tier>,
    /// The source document's own plan, cell by cell.
    #[serde(default)]
    pub published: Vec<PublishedCell>,
    /// The document's scaling triggers and alert thresholds.
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// The document's recommendations by horizon or phase.
    #[serde(default)]
    pub advice: Vec<Advice>,
    /// Facts of the document shown in reports and never computed with.
    #[serde(default)]
    pub reference: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Values the document does not state: key to reason.
    #[serde(default)]
    pub assumptions: BTreeMap<String, String>,
    /// Capacities fitted from load tests by `headroom calibrate`, by tier.
    #[serde(default)]
    pub calibrations: BTreeMap<String, crate::calibrate::Calibration>,
    /// Inputs drawn from distributions by `headroom simulate`.
    #[serde(default)]
    pub uncertainty: Option<crate::simulate::Uncertainty>,
    /// Where `headroom observe` measures today's drivers and loads.
    #[serde(default)]
    pub observe: Option<crate::observe::ObserveConfig>,
    /// Committed-use pricing: how many units to commit to for a term.
    #[serde(default)]
    pub commitment: Option<CommitmentTerms>,
}

/// Committed-use pricing (reserved instances, savings plans): a share off
/// the on-demand price for units paid every month of a term, used or not.
/// The plan works out how many of each tier's units to commit to over the
/// term's first months and what that saves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentTerms {
    /// Share off the on-demand price, strictly between 0 and 1.
    pub discount: f64,
    /// Months in the term, from today.
    pub term_months: u32,
    /// A tier's own discount, over `discount`, by tier key; 0 leaves the
    /// tier on demand.
    #[serde(default)]
    pub tiers: BTreeMap<String, f64>,
}

/// A growth curve over months.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// `piecewise-linear`, `log-linear`, `compound-monthly` or `logistic`.
    pub curve: String,
    /// Monthly rate of each driver for `compound-monthly`; a driver without
    /// one gets the rate fitted between its first and last milestone.
    #[serde(default)]
    pub rates: BTreeMap<String, f64>,
    /// Ceiling of each driver for `logistic` (every driver needs one).
    #[serde(default)]
    pub ceilings: BTreeMap<String, f64>,
}

/// A milestone: a date (month) or a named deployment size, and its drivers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Name as the document gives it.
    pub name: String,
    /// Months from today; absent for a deployment size with no date.
    #[serde(default)]
    pub month: Option<u32>,
    /// Driver values by driver name.
    pub drivers: BTreeMap<String, f64>,
}

/// How a tier grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scaling {
    /// More units of one instance type.
    Horizontal,
    /// Up a ladder of instance types, then shards of the largest.
    Vertical,
}

/// One tier of the system.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Display name.
    pub name: String,
    /// What one unit is (replica, instance, GB).
    pub unit: String,
    /// What the document says limits the tier.
    #[serde(default)]
    pub limiting_factor: Option<String>,
    /// Horizontal or vertical.
    pub scaling: Scaling,
    /// Fewest units.
    #[serde(default)]
    pub min_units: u32,
    /// N+k spare units.
    #[serde(default)]
    pub redundancy: u32,
    /// Units are a multiple of this.
    #[serde(default = "one")]
    pub zones: u32,
    /// Units running today, for the runway.
    #[serde(default)]
    pub current_units: Option<u32>,
    /// Instance type running today (vertical tiers), for the runway.
    #[serde(default)]
    pub current_instance: Option<String>,
    /// Instance keys, small to large; a horizontal tier has exactly one.
    pub ladder: Vec<String>,
    /// Instance types by key.
    pub instances: BTreeMap<String, Instance>,
    /// Load that comes from other tiers' units: dimension, then upstream
    /// tier, to load per upstream unit (e.g. connections per replica's pool).
    #[serde(default)]
    pub fan_in: BTreeMap<String, BTreeMap<String, f64>>,
    /// Response-time targets the tier must meet, each as an M/M/c queue,
    /// by a short key (`listing`, `search-p95`); the tier takes the units
    /// the strictest of them and its headroom need.
    #[serde(default)]
    pub latency_targets: BTreeMap<String, LatencyTarget>,
    /// How units add up when they do not scale linearly: the USL across
    /// units (e.g. written by `headroom calibrate --across-units`).
    #[serde(default)]
    pub scalability: Option<Scalability>,
}

impl Tier {
    /// The tier's sizing policy under the profile's `headroom`.
    pub fn policy(&self, headroom: f64) -> headroom_kernel::HeadroomPolicy {
        headroom_kernel::HeadroomPolicy {
            headroom,
            min_units: self.min_units,
            redundancy: self.redundancy,
            zones: self.zones,
        }
    }
}

/// USL coefficients of a tier across its units (Gunther): `N` units hold
/// `N / (1 + σ (N - 1) + κ N (N - 1))` units' worth of capacity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scalability {
    /// Contention σ, in [0, 1].
    pub sigma: f64,
    /// Coherency κ, at least 0.
    pub kappa: f64,
    /// Where the coefficients came from.
    pub source: String,
}

/// A response-time target: the tier is sized by the stricter of its
/// headroom and this target, treating its units' workers as the servers of
/// an M/M/c queue (Erlang C).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyTarget {
    /// What is measured, in the document's words.
    pub name: String,
    /// Quantile of the response time, e.g. 0.95 for p95.
    pub quantile: f64,
    /// Bound on that quantile, seconds.
    pub seconds: f64,
    /// The load (a capacity dimension or metric of this tier) that is the
    /// arrival rate.
    pub arrivals: String,
    /// Multiplier from that load to arrivals a second (1/60 for a rate a minute).
    #[serde(default = "unit_scale")]
    pub arrivals_per_second_per_unit_of_load: f64,
    /// Mean service time of one request on one worker, seconds.
    pub service_time: f64,
    /// Workers (servers of the queue) in one unit, e.g. its vCPUs.
    pub workers_per_unit: u32,
}

fn unit_scale() -> f64 {
    1.0
}

fn one() -> u32 {
    1
}

/// One instance type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Display name.
    pub name: String,
    /// vCPUs, when the document gives them.
    #[serde(default)]
    pub vcpu: Option<f64>,
    /// Memory in GB, when the document gives it.
    #[serde(default)]
    pub memory_gb: Option<f64>,
    /// Nodes in one unit (a cluster), when it has several.
    #[serde(default)]
    pub nodes: Option<u32>,
    /// On-demand price of one unit an hour.
    pub hourly_price: f64,
    /// Its size within its family, for a commitment that any size of the
    /// family can use (AWS's normalization factor: xlarge 8, 2xlarge 16):
    /// when every rung of a tier's ladder has one, `[commitment]` commits
    /// to the ladder in these units, each priced alike.
    #[serde(default)]
    pub size_units: Option<u32>,
    /// Capacity of one unit on each dimension.
    pub capacity: BTreeMap<String, f64>,
}

/// One cell of the document's published plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedCell {
    /// Milestone key.
    pub milestone: String,
    /// Tier key, or `total` for the whole deployment.
    pub tier: String,
    /// `units`, `instance` or `monthly_cost`.
    pub column: String,
    /// The cell as the document prints it.
    pub text: String,
    /// Exact figure.
    #[serde(default)]
    pub value: Option<f64>,
    /// Lower end of a range.
    #[serde(default)]
    pub min: Option<f64>,
    /// Upper end of a range.
    #[serde(default)]
    pub max: Option<f64>,
    /// Instance key, for the `instance` column.
    #[serde(default)]
    pub instance: Option<String>,
    /// The document says the tier is sharded.
    #[serde(default)]
    pub sharded: bool,
}

/// How a trigger relates to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerKind {
    /// A utilisation threshold of a tier, checked against the plan.
    Utilisation,
    /// A threshold on one of the plugin's loads (`dimension`).
    Load,
    /// A response-time quantile, in seconds, of the M/M/c queue one of the
    /// tier's latency targets describes (`queue` names it; `quantile`,
    /// else that target's): checked against the plan and today's deployment.
    Latency,
    /// The depth of the queue in front of a tier that works through items
    /// arriving at one of its loads (`dimension`, say leads a minute), each
    /// unit's capacity on that load its rate of service, split over
    /// `workers_per_unit` servers: the M/M/c queue's `quantile` of the
    /// number waiting (its mean if no quantile is given), checked against
    /// the plan and today's deployment.
    QueueDepth,
    /// A metric the plan does not model: reported, to be watched.
    Monitor,
}

impl TriggerKind {
    /// Whether it is read on today's deployment month by month (the month
    /// it fires, beside that deployment's runway): a utilisation, latency
    /// or queue-depth trigger.
    pub fn reads_today(&self) -> bool {
        matches!(self, TriggerKind::Utilisation | TriggerKind::Latency | TriggerKind::QueueDepth)
    }
}

/// A scaling trigger or alert threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Name.
    pub name: String,
    /// Tier it watches.
    pub tier: String,
    /// How it relates to the plan.
    pub kind: TriggerKind,
    /// Threshold (a fraction for utilisation).
    pub threshold: f64,
    /// The load dimension, for `kind = "load"`.
    #[serde(default)]
    pub dimension: Option<String>,
    /// For `kind = "latency"`: the key of the tier's latency target whose
    /// queue (arrivals, service time, workers a unit) the trigger reads.
    #[serde(default)]
    pub queue: Option<String>,
    /// For `kind = "latency"`: the quantile the threshold bounds (0.95 for
    /// a p95); the queue's target's own quantile if not given. For
    /// `kind = "queue-depth"`: the quantile of the number waiting; the mean
    /// if not given.
    #[serde(default)]
    pub quantile: Option<f64>,
    /// For `kind = "queue-depth"`: the servers one unit works the queue
    /// with (its workers or cores), each serving an equal share of the
    /// unit's capacity; 1 if not given.
    #[serde(default)]
    pub workers_per_unit: Option<u32>,
    /// Unit of the threshold.
    #[serde(default)]
    pub unit: Option<String>,
    /// Minutes the condition must hold.
    #[serde(default)]
    pub window_minutes: Option<f64>,
    /// The document's words.
    pub text: String,
}

/// Recommendations for a horizon or phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    /// Horizon or phase, as the document names it.
    pub horizon: String,
    /// First month it applies to.
    #[serde(default)]
    pub from_month: Option<u32>,
    /// Last month it applies to.
    #[serde(default)]
    pub to_month: Option<u32>,
    /// Who or what it suits, in the document's words.
    #[serde(default)]
    pub suitable_for: Option<String>,
    /// The recommendations.
    pub items: Vec<String>,
}

/// Where configuration comes from besides the plugin.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Directory holding `default.toml` and `<profile>.toml`, if any.
    pub config_dir: Option<PathBuf>,
    /// `--config` files, in order.
    pub files: Vec<PathBuf>,
    /// Read `HEADROOM_*` environment variables.
    pub environment: bool,
    /// Profile ids whose `HEADROOM_<ID>__` prefix is not a global key.
    pub known_profiles: Vec<String>,
    /// `--set key=value` pairs, in order.
    pub sets: Vec<String>,
}

/// Environment variables that configure the binary, not a profile.
pub const RESERVED_VARIABLES: &[&str] = &["PLUGIN_DIR", "CONFIG_DIR"];

/// A configuration merged from its layers, and the layers themselves.
#[derive(Debug, Clone)]
pub struct LayeredConfig {
    /// The merged, checked configuration.
    pub config: ProfileConfig,
    /// Shared, so a Monte Carlo draw's configuration keeps the layers of
    /// the original without copying them.
    figment: std::sync::Arc<Figment>,
}

/// A provider that renames another's metadata so errors and `headroom
/// config` say which layer a value came from.
struct Named<P> {
    name: String,
    inner: P,
}

impl<P: Provider> Provider for Named<P> {
    fn metadata(&self) -> Metadata {
        let mut metadata = self.inner.metadata();
        metadata.name = self.name.clone().into();
        metadata
    }

    fn data(&self) -> Result<Map<FigmentProfile, Dict>, figment::Error> {
        self.inner.data()
    }
}

fn env_prefix(profile_id: &str) -> String {
    format!("HEADROOM_{}__", profile_id.to_uppercase().replace('-', "_"))
}

/// Parses `key=value` into the table it sets: the key as a TOML dotted key
/// (a part with dots quoted, as an uncertain input's is:
/// `uncertainty.inputs."demand.peak_factor".max`), the value as TOML
/// (number, bool, string, array), else as a plain string.
fn parse_set(profile: &str, assignment: &str) -> Result<toml::Table, Error> {
    let fail = |why: String| Error::Config {
        profile: profile.into(),
        message: format!("--set `{assignment}`: {why}"),
    };
    let (key, raw) = assignment.split_once('=').ok_or_else(|| fail("expected key=value".into()))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(fail("the key is empty".into()));
    }
    // A list's entry by its index (`triggers[0].threshold`, or
    // `triggers.0.threshold` under a key that holds a list): a layer
    // replaces a list whole, so --set cannot reach into one.
    const LISTS: [&str; 4] = ["published", "triggers", "advice", "uncertainty.correlations"];
    let list = key.split_once('[').map(|(list, _)| list).or_else(|| {
        LISTS.into_iter().find(|list| {
            key.strip_prefix(list).and_then(|rest| rest.strip_prefix('.')).is_some_and(|rest| {
                let index = rest.split('.').next().unwrap_or_default();
                !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())
            })
        })
    });
    if let Some(list) = list {
        return Err(fail(format!(
            "`{list}` is a list, which a layer replaces whole: --set cannot change one entry; write the whole list in a file (`[[{list}]]` blocks) and pass it with --config"
        )));
    }
    if toml::from_str::<toml::Table>(&format!("{key} = 0")).is_err() {
        return Err(fail(format!(
            "`{key}` is not a key: parts joined by dots, a part that holds dots or spaces in quotes (uncertainty.inputs.\"demand.peak_factor\".max)"
        )));
    }
    toml::from_str::<toml::Table>(&format!("{key} = {raw}"))
        .or_else(|_| toml::from_str(&format!("{key} = {}", toml::Value::String(raw.to_string()))))
        .map_err(|e| fail(e.message().to_string()))
}

/// Builds the layers for `profile` and merges them, checking every key and number.
pub fn load(profile: &LoadedProfile, sources: &Sources) -> Result<LayeredConfig, Error> {
    let id = profile.id().to_string();
    let mut layers: Vec<Box<dyn Provider>> = vec![Box::new(Named {
        name: format!("defaults of plugin `{id}`"),
        inner: Toml::string(profile.default_config()),
    })];
    if let Some(dir) = &sources.config_dir {
        for file in [
            dir.join("default.toml"),
            dir.join(format!("{id}.toml")),
            dir.join(format!("{id}.calibrated.toml")),
        ] {
            if file.is_file() {
                layers.push(Box::new(Toml::file_exact(&file)));
            }
        }
    }
    for file in &sources.files {
        if !file.is_file() {
            return Err(Error::Config {
                profile: id,
                message: format!("--config {}: no such file", file.display()),
            });
        }
        layers.push(Box::new(Toml::file_exact(file)));
    }
    if sources.environment {
        // `HEADROOM_<OTHER_PROFILE>__…` belongs to another profile, not to
        // every profile as a key `<other_profile>.…`.
        let others: Vec<String> = sources
            .known_profiles
            .iter()
            .map(|p| env_prefix(p).trim_start_matches("HEADROOM_").to_string())
            .collect();
        let global = Env::prefixed("HEADROOM_")
            .filter(move |key| {
                let upper = key.as_str().to_uppercase();
                !RESERVED_VARIABLES.contains(&upper.as_str())
                    && !others.iter().any(|p| upper.starts_with(p.as_str()))
            })
            .split("__");
        layers.push(Box::new(global));
        layers.push(Box::new(Env::prefixed(&env_prefix(&id)).split("__")));
    }
    for assignment in &sources.sets {
        let table = parse_set(&id, assignment)?;
        layers.push(Box::new(Named {
            name: format!("--set {assignment}"),
            inner: figment::providers::Serialized::globals(table),
        }));
    }
    let figment = merge_layers(layers);
    let config: ProfileConfig = figment
        .extract()
        .map_err(|e| Error::Config { profile: id.clone(), message: describe(&e) })?;
    let layered = LayeredConfig { config, figment: std::sync::Arc::new(figment) };
    layered.check(profile)?;
    Ok(layered)
}

/// A layer's tables of uncertain inputs (`uncertainty.inputs`, in each
/// of its profiles).
fn inputs(layer: &mut Read) -> Vec<&mut Dict> {
    layer.data.iter_mut().flat_map(|data| data.values_mut().filter_map(inputs_of)).collect()
}

/// A profile's table of uncertain inputs (`uncertainty.inputs`), if any.
fn inputs_of(dict: &mut Dict) -> Option<&mut Dict> {
    match dict.get_mut("uncertainty")? {
        Value::Dict(_, uncertainty) => match uncertainty.get_mut("inputs")? {
            Value::Dict(_, inputs) => Some(inputs),
            _ => None,
        },
        _ => None,
    }
}

/// A layer read once: its metadata and its data (or the error reading it
/// gave, for the merge to report), as [`merge_layers`] left them.
struct Read {
    metadata: Metadata,
    data: Result<Map<FigmentProfile, Dict>, figment::Error>,
}

impl Provider for Read {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<FigmentProfile, Dict>, figment::Error> {
        self.data.clone()
    }
}

/// Merges `layers` in order, each over the ones before, but for one thing:
/// an uncertain input's distribution is one whole, so a layer that names an
/// input's `distribution` replaces what earlier layers said of that input
/// (a shipped normal's `mean` and `sd` do not carry over to the uniform a
/// user's layer draws it from; they would be unknown keys of a uniform).
/// Each layer is read once.
fn merge_layers(layers: Vec<Box<dyn Provider>>) -> Figment {
    let mut read: Vec<Read> =
        layers.iter().map(|l| Read { metadata: l.metadata(), data: l.data() }).collect();
    // Per layer, the inputs it draws anew (it names their `distribution`).
    let anew: Vec<Vec<String>> = read
        .iter_mut()
        .map(|layer| {
            let named = |(key, input): (&String, &Value)| match input {
                Value::Dict(_, d) if d.contains_key("distribution") => Some(key.clone()),
                _ => None,
            };
            inputs(layer).into_iter().flat_map(|i| i.iter().filter_map(named)).collect()
        })
        .collect();
    for (i, layer) in read.iter_mut().enumerate() {
        let later: BTreeSet<&String> = anew[i + 1..].iter().flatten().collect();
        for table in inputs(layer) {
            table.retain(|key, _| !later.contains(key));
        }
    }
    read.into_iter().fold(Figment::new(), Figment::merge)
}

/// A figment error as one line per cause, with a suggestion for unknown keys.
fn describe(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| {
            let mut path: Vec<String> = e.path.iter().map(|s| toml_key(s)).collect();
            // An internally tagged table (an uncertain input's distribution)
            // reports its own path, not the unknown field's.
            if let figment::error::Kind::UnknownField(found, _) = &e.kind {
                if e.path.last() != Some(found) {
                    path.push(toml_key(found));
                }
            }
            let key = path.join(".");
            let layer = layer_of(e.metadata.as_ref());
            match &e.kind {
                figment::error::Kind::UnknownField(found, expected) => {
                    let hint = closest(found, expected)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_else(|| format!("; expected one of: {}", expected.join(", ")));
                    format!("unknown key `{key}` in {layer}{hint}")
                }
                // figment's own words nest the list in backticks ("expected
                // `one of `normal`, …``"); a misspelt choice gets a hint too.
                figment::error::Kind::UnknownVariant(found, expected) => {
                    let hint = closest(found, expected)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_else(|| {
                            let known: Vec<String> =
                                expected.iter().map(|c| format!("`{c}`")).collect();
                            format!("; known: {}", known.join(", "))
                        });
                    format!("key `{key}` in {layer}: unknown choice `{found}`{hint}")
                }
                kind => {
                    if key.is_empty() {
                        format!("{kind} in {layer}")
                    } else {
                        format!("key `{key}` in {layer}: {kind}")
                    }
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The candidate a misspelt `found` most likely meant (Jaro-Winkler above
/// 0.8), for a "did you mean" hint.
fn closest<'a>(found: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(found, candidate), *candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

fn layer_of(metadata: Option<&Metadata>) -> String {
    match metadata {
        None => "the configuration".to_string(),
        Some(metadata) => match &metadata.source {
            Some(figment::Source::File(path)) => path.display().to_string(),
            _ => metadata.name.to_string(),
        },
    }
}

impl LayeredConfig {
    /// The layer a key's value came from (e.g. `config/leadgen-insurance.toml`
    /// or `--set headroom=0.3`), and the key as TOML writes it. The key is
    /// dotted, and a part may itself hold dots (an instance type named
    /// `db.r6i.xlarge`): each level of the merged configuration takes the
    /// child whose name the rest of the key starts with. An index (`[2]`)
    /// names its array's layer.
    pub fn layer(&self, key: &str) -> (String, String) {
        let lookup = key.split('[').next().unwrap_or(key);
        let index = &key[lookup.len()..];
        let Ok(root) = self.figment.extract::<Dict>() else {
            return (key.to_string(), layer_of(None));
        };
        match find_path(&root, lookup) {
            Some((parts, value)) => (
                parts.iter().map(|p| toml_key(p)).collect::<Vec<_>>().join(".") + index,
                layer_of(self.figment.get_metadata(value.tag())),
            ),
            None => (key.to_string(), layer_of(None)),
        }
    }

    /// Every leaf of the merged configuration: dotted key, value as TOML
    /// text, and the layer it came from.
    pub fn provenance(&self) -> Vec<(String, String, String)> {
        let mut rows = Vec::new();
        if let Ok(dict) = self.figment.extract::<Dict>() {
            for (key, value) in &dict {
                walk(self, key.clone(), value, &mut rows);
            }
        }
        rows
    }

    /// The leaves under `key`, as `provenance` gives them: `key` is dotted
    /// as `--set` takes it (quotes optional; a part may hold dots, as an
    /// instance type's name does), a table or a leaf. A key the merged
    /// configuration does not have is an error, with the likely one.
    pub fn provenance_under(
        &self,
        profile: &str,
        key: &str,
    ) -> Result<Vec<(String, String, String)>, Error> {
        let found = self.figment.extract::<Dict>().ok().and_then(|root| {
            let (parts, value) = find_path(&root, &key.replace('"', ""))?;
            let mut rows = Vec::new();
            let path = parts.iter().map(|p| toml_key(p)).collect::<Vec<_>>().join(".");
            walk(self, path, value, &mut rows);
            Some(rows)
        });
        found.ok_or_else(|| {
            // Every table and leaf a user could have meant: each key and the
            // tables above it, cut at the dots that are not inside quotes.
            let mut tables = BTreeSet::new();
            for (leaf, _, _) in self.provenance() {
                let mut quoted = false;
                for (at, c) in leaf.char_indices() {
                    match c {
                        '"' => quoted = !quoted,
                        '.' | '[' if !quoted => {
                            tables.insert(leaf[..at].to_string());
                        }
                        _ => {}
                    }
                }
                tables.insert(leaf);
            }
            let known: Vec<&str> = tables.iter().map(String::as_str).collect();
            let hint =
                closest(key, &known).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
            Error::Config {
                profile: profile.to_string(),
                message: format!("no key `{key}` in the merged configuration{hint}"),
            }
        })
    }

    fn fail(&self, profile: &str, key: &str, problem: impl std::fmt::Display) -> Error {
        Error::Config {
            profile: profile.to_string(),
            message: {
                let (key, layer) = self.layer(key);
                format!("key `{key}` in {layer}: {problem}")
            },
        }
    }

    /// The same layers with another merged configuration (a Monte Carlo
    /// draw), checked like the original: errors still name the layer of
    /// each key.
    pub fn with_config(
        &self,
        config: ProfileConfig,
        profile: &LoadedProfile,
    ) -> Result<LayeredConfig, Error> {
        let layered = LayeredConfig { config, figment: self.figment.clone() };
        layered.check(profile)?;
        Ok(layered)
    }

    /// Checks what serde cannot: ranges, cross references, and agreement
    /// with what the plugin declares.
    fn check(&self, profile: &LoadedProfile) -> Result<(), Error> {
        let id = profile.id();
        let c = &self.config;
        if !(c.headroom.is_finite() && (0.0..1.0).contains(&c.headroom)) {
            return Err(self.fail(
                id,
                "headroom",
                format_args!("must lie in [0, 1), got {}", Shown(c.headroom)),
            ));
        }
        if c.horizon_months > crate::plan::MAX_HORIZON_MONTHS {
            return Err(self.fail(
                id,
                "horizon_months",
                format_args!(
                    "must be at most {} (a century of months), got {}",
                    crate::plan::MAX_HORIZON_MONTHS,
                    c.horizon_months
                ),
            ));
        }
        if !(c.cost_tolerance.is_finite() && c.cost_tolerance >= 0.0) {
            return Err(self.fail(
                id,
                "cost_tolerance",
                format_args!(
                    "must be a finite fraction at least 0, got {}",
                    Shown(c.cost_tolerance)
                ),
            ));
        }
        if let Some(growth) = &c.growth {
            let known = ["piecewise-linear", "log-linear", "compound-monthly", "logistic"];
            if !known.contains(&growth.curve.as_str()) {
                return Err(self.fail(
                    id,
                    "growth.curve",
                    format_args!("unknown curve `{}`; known: {}", growth.curve, known.join(", ")),
                ));
            }
            let drivers: Vec<&str> = profile.drivers().map(|(name, _)| name).collect();
            for (table, values) in
                [("growth.rates", &growth.rates), ("growth.ceilings", &growth.ceilings)]
            {
                if let Some(name) = values.keys().find(|k| !drivers.contains(&k.as_str())) {
                    return Err(unknown(self, id, &format!("{table}.{name}"), name, &drivers));
                }
            }
            if growth.curve == "logistic" {
                for driver in &drivers {
                    if !growth.ceilings.get(*driver).is_some_and(|k| k.is_finite() && *k > 0.0) {
                        return Err(self.fail(
                            id,
                            &format!("growth.ceilings.{driver}"),
                            "a logistic curve needs a finite ceiling above 0 for every driver",
                        ));
                    }
                }
            }
            if let Some((driver, r)) =
                growth.rates.iter().find(|(_, r)| !r.is_finite() || **r <= -1.0)
            {
                return Err(self.fail(
                    id,
                    &format!("growth.rates.{driver}"),
                    format_args!("must be finite and above -1, got {}", Shown(*r)),
                ));
            }
        }
        same_keys(
            self,
            id,
            "milestone_order",
            &c.milestone_order,
            c.milestones.keys(),
            "milestones",
        )?;
        same_keys(self, id, "tier_order", &c.tier_order, c.tiers.keys(), "tiers")?;

        let drivers: Vec<&str> = profile.drivers().map(|(name, _)| name).collect();
        for (key, milestone) in &c.milestones {
            self.check_declared(
                id,
                &format!("milestones.{key}.drivers"),
                &milestone.drivers,
                &drivers,
                "missing: every milestone gives every driver",
            )?;
            if c.growth.is_some() && milestone.month.is_none() {
                return Err(self.fail(
                    id,
                    &format!("milestones.{key}.month"),
                    "missing: a growth curve needs a month for every milestone",
                ));
            }
        }
        let parameters: Vec<&str> = profile.parameters().collect();
        self.check_declared(
            id,
            "demand",
            &c.demand,
            &parameters,
            "missing: the plugin's demand mapping needs it",
        )?;

        let loads: Vec<(&str, &str)> = profile.loads().map(|(t, d, _)| (t, d)).collect();
        for (tier, _) in &loads {
            if !c.tiers.contains_key(*tier) {
                return Err(Error::Config {
                    profile: id.into(),
                    message: format!("the plugin puts load on tier `{tier}`, which the configuration has no `tiers.{tier}` for"),
                });
            }
        }
        for (position, key) in c.tier_order.iter().enumerate() {
            let tier = &c.tiers[key];
            let base = format!("tiers.{key}");
            if tier.ladder.is_empty() {
                return Err(self.fail(
                    id,
                    &format!("{base}.ladder"),
                    "needs at least one instance type",
                ));
            }
            if tier.scaling == Scaling::Horizontal && tier.ladder.len() != 1 {
                return Err(self.fail(
                    id,
                    &format!("{base}.ladder"),
                    "a horizontal tier has exactly one instance type",
                ));
            }
            if tier.zones == 0 {
                return Err(self.fail(id, &format!("{base}.zones"), "must be at least 1"));
            }
            let listed: Vec<&str> = tier.ladder.iter().map(String::as_str).collect();
            same_keys(
                self,
                id,
                &format!("{base}.ladder"),
                &tier.ladder,
                tier.instances.keys(),
                &format!("{base}.instances"),
            )?;
            if let Some(current) = &tier.current_instance {
                if !tier.instances.contains_key(current) {
                    return Err(unknown(
                        self,
                        id,
                        &format!("{base}.current_instance"),
                        current,
                        &listed,
                    ));
                }
            }
            let dimensions: BTreeSet<&str> =
                tier.instances[&tier.ladder[0]].capacity.keys().map(String::as_str).collect();
            if dimensions.is_empty() {
                return Err(self.fail(
                    id,
                    &format!("{base}.instances.{}.capacity", tier.ladder[0]),
                    "needs at least one dimension",
                ));
            }
            for (instance_key, instance) in &tier.instances {
                let ipath = format!("{base}.instances.{instance_key}");
                if !instance.hourly_price.is_finite() || instance.hourly_price < 0.0 {
                    return Err(self.fail(
                        id,
                        &format!("{ipath}.hourly_price"),
                        format_args!(
                            "must be finite and not negative, got {}",
                            Shown(instance.hourly_price)
                        ),
                    ));
                }
                let these: BTreeSet<&str> = instance.capacity.keys().map(String::as_str).collect();
                if these != dimensions {
                    return Err(self.fail(id, &format!("{ipath}.capacity"), format_args!("has dimensions {these:?}, but the ladder's first instance has {dimensions:?}")));
                }
                for (dimension, value) in &instance.capacity {
                    if !value.is_finite() || *value <= 0.0 {
                        return Err(self.fail(
                            id,
                            &format!("{ipath}.capacity.{dimension}"),
                            format_args!(
                                "a capacity must be finite and above zero, got {}",
                                Shown(*value)
                            ),
                        ));
                    }
                }
            }
            self.check_size_units(id, &base, tier)?;
            for (dimension, upstream) in &tier.fan_in {
                if !dimensions.contains(dimension.as_str()) {
                    let known: Vec<&str> = dimensions.iter().copied().collect();
                    return Err(unknown(
                        self,
                        id,
                        &format!("{base}.fan_in.{dimension}"),
                        dimension,
                        &known,
                    ));
                }
                for (source, per_unit) in upstream {
                    let path = format!("{base}.fan_in.{dimension}.{source}");
                    match c.tier_order.iter().position(|t| t == source) {
                        Some(p) if p < position => {}
                        Some(_) => return Err(self.fail(id, &path, format_args!("tier `{source}` is sized after `{key}`; fan-in may only come from earlier tiers in tier_order"))),
                        None => return Err(self.fail(id, &path, format_args!("no tier `{source}`"))),
                    }
                    if !per_unit.is_finite() || *per_unit < 0.0 {
                        return Err(self.fail(
                            id,
                            &path,
                            format_args!(
                                "must be finite and not negative, got {}",
                                Shown(*per_unit)
                            ),
                        ));
                    }
                }
            }
            if let Some(scalability) = &tier.scalability {
                let path = format!("{base}.scalability");
                if tier.scaling != Scaling::Horizontal {
                    return Err(self.fail(
                        id,
                        &path,
                        "scalability applies to horizontal tiers only",
                    ));
                }
                if !(scalability.sigma.is_finite() && (0.0..=1.0).contains(&scalability.sigma)) {
                    return Err(self.fail(
                        id,
                        &format!("{path}.sigma"),
                        format_args!("must lie in [0, 1], got {}", Shown(scalability.sigma)),
                    ));
                }
                if !(scalability.kappa.is_finite() && scalability.kappa >= 0.0) {
                    return Err(self.fail(
                        id,
                        &format!("{path}.kappa"),
                        format_args!(
                            "must be finite and at least 0, got {}",
                            Shown(scalability.kappa)
                        ),
                    ));
                }
            }
            for (target_key, target) in &tier.latency_targets {
                let path = format!("{base}.latency_targets.{target_key}");
                if tier.scaling != Scaling::Horizontal {
                    return Err(self.fail(
                        id,
                        &path,
                        "latency targets apply to horizontal tiers only",
                    ));
                }
                if !(target.quantile > 0.0 && target.quantile < 1.0) {
                    return Err(self.fail(
                        id,
                        &format!("{path}.quantile"),
                        format_args!("must lie in (0, 1), got {}", Shown(target.quantile)),
                    ));
                }
                for (name, value) in [
                    ("seconds", target.seconds),
                    ("service_time", target.service_time),
                    (
                        "arrivals_per_second_per_unit_of_load",
                        target.arrivals_per_second_per_unit_of_load,
                    ),
                ] {
                    if !value.is_finite() || value <= 0.0 {
                        return Err(self.fail(
                            id,
                            &format!("{path}.{name}"),
                            format_args!("must be finite and above zero, got {}", Shown(value)),
                        ));
                    }
                }
                if target.workers_per_unit == 0 {
                    return Err(self.fail(
                        id,
                        &format!("{path}.workers_per_unit"),
                        "must be at least 1",
                    ));
                }
                let known: Vec<&str> =
                    loads.iter().filter(|(t, _)| *t == key.as_str()).map(|(_, d)| *d).collect();
                if !known.contains(&target.arrivals.as_str()) {
                    return Err(unknown(
                        self,
                        id,
                        &format!("{path}.arrivals"),
                        &target.arrivals,
                        &known,
                    ));
                }
            }
            for dimension in &dimensions {
                let from_plugin = loads.contains(&(key.as_str(), dimension));
                if !from_plugin && !tier.fan_in.contains_key(*dimension) {
                    return Err(self.fail(
                        id,
                        &format!("{base}.instances.{}.capacity.{dimension}", tier.ladder[0]),
                        format_args!(
                            "nothing puts load on `{dimension}`: neither the plugin nor a fan_in"
                        ),
                    ));
                }
            }
        }
        for (index, cell) in c.published.iter().enumerate() {
            let path = format!("published[{index}]");
            if !c.milestones.contains_key(&cell.milestone) {
                return Err(self.fail(
                    id,
                    &path,
                    format_args!("no milestone `{}`", cell.milestone),
                ));
            }
            if cell.tier != "total" && !c.tiers.contains_key(&cell.tier) {
                return Err(self.fail(id, &path, format_args!("no tier `{}`", cell.tier)));
            }
            match cell.column.as_str() {
                "units" | "monthly_cost" => {
                    if cell.value.is_none() && cell.min.is_none() && cell.max.is_none() {
                        return Err(self.fail(id, &path, "needs a value, a min or a max"));
                    }
                }
                "instance" => match (&cell.instance, c.tiers.get(&cell.tier)) {
                    (Some(instance), Some(tier)) if tier.instances.contains_key(instance) => {}
                    _ => {
                        return Err(self.fail(
                            id,
                            &path,
                            "an instance cell needs `instance`, a key of the tier's instances",
                        ))
                    }
                },
                other => {
                    return Err(self.fail(
                        id,
                        &path,
                        format_args!(
                            "unknown column `{other}`; known: units, instance, monthly_cost"
                        ),
                    ))
                }
            }
        }
        for (index, trigger) in c.triggers.iter().enumerate() {
            let path = format!("triggers[{index}]");
            if !c.tiers.contains_key(&trigger.tier) {
                return Err(self.fail(id, &path, format_args!("no tier `{}`", trigger.tier)));
            }
            if !trigger.threshold.is_finite() {
                return Err(self.fail(id, &path, "threshold must be finite"));
            }
            if trigger.kind != TriggerKind::Latency && trigger.queue.is_some() {
                return Err(self.fail(
                    id,
                    &path,
                    "`queue` belongs to a trigger of kind \"latency\"",
                ));
            }
            if !matches!(trigger.kind, TriggerKind::Latency | TriggerKind::QueueDepth)
                && trigger.quantile.is_some()
            {
                return Err(self.fail(
                    id,
                    &path,
                    "`quantile` belongs to a trigger of kind \"latency\" or \"queue-depth\"",
                ));
            }
            if trigger.kind != TriggerKind::QueueDepth && trigger.workers_per_unit.is_some() {
                return Err(self.fail(
                    id,
                    &path,
                    "`workers_per_unit` belongs to a trigger of kind \"queue-depth\"",
                ));
            }
            if let Some(q) = trigger.quantile.filter(|q| !(*q > 0.0 && *q < 1.0)) {
                return Err(self.fail(
                    id,
                    &format!("{path}.quantile"),
                    format_args!(
                        "quantile must lie strictly between 0 and 1, got {}",
                        headroom_kernel::Shown(q)
                    ),
                ));
            }
            if trigger.kind == TriggerKind::Latency {
                let targets = &c.tiers[&trigger.tier].latency_targets;
                let queue = trigger.queue.as_deref().unwrap_or_default();
                if !targets.contains_key(queue) {
                    let known: Vec<&str> = targets.keys().map(String::as_str).collect();
                    return Err(self.fail(
                        id,
                        &format!("{path}.queue"),
                        format_args!(
                            "a latency trigger needs `queue`, the key of one of tier `{}`'s latency targets ({})",
                            trigger.tier,
                            if known.is_empty() { "it has none".to_string() } else { known.join(", ") }
                        ),
                    ));
                }
                if trigger.threshold <= 0.0 {
                    return Err(self.fail(
                        id,
                        &format!("{path}.threshold"),
                        "a latency trigger's threshold is a time in seconds, above zero",
                    ));
                }
            }
            if matches!(trigger.kind, TriggerKind::Load | TriggerKind::QueueDepth) {
                let dimension = trigger.dimension.as_deref().unwrap_or_default();
                if !loads.contains(&(trigger.tier.as_str(), dimension)) {
                    return Err(self.fail(
                        id,
                        &path,
                        format_args!(
                            "a {} trigger needs `dimension`, a load the plugin puts on tier `{}`",
                            if trigger.kind == TriggerKind::Load { "load" } else { "queue-depth" },
                            trigger.tier
                        ),
                    ));
                }
            }
            if trigger.kind == TriggerKind::QueueDepth {
                let dimension = trigger.dimension.as_deref().unwrap_or_default();
                let tier = &c.tiers[&trigger.tier];
                if let Some(key) = tier
                    .instances
                    .iter()
                    .find(|(_, i)| !i.capacity.contains_key(dimension))
                    .map(|(k, _)| k)
                {
                    return Err(self.fail(
                        id,
                        &format!("{path}.dimension"),
                        format_args!(
                            "a queue-depth trigger is served at the units' capacity on `{dimension}`, and instance `{key}` of tier `{}` has none",
                            trigger.tier
                        ),
                    ));
                }
                if trigger.workers_per_unit == Some(0) {
                    return Err(self.fail(
                        id,
                        &format!("{path}.workers_per_unit"),
                        "a unit works its queue with at least one server",
                    ));
                }
                if trigger.threshold < 0.0 {
                    return Err(self.fail(
                        id,
                        &format!("{path}.threshold"),
                        "a queue-depth trigger's threshold is a count of items waiting, not negative",
                    ));
                }
            }
        }
        if let Some(terms) = &c.commitment {
            if !(terms.discount > 0.0 && terms.discount < 1.0) {
                return Err(self.fail(
                    id,
                    "commitment.discount",
                    format_args!(
                        "a commitment's discount is a share off the on-demand price, strictly between 0 and 1, got {}",
                        headroom_kernel::Shown(terms.discount)
                    ),
                ));
            }
            if terms.term_months == 0 {
                return Err(self.fail(
                    id,
                    "commitment.term_months",
                    "a term is at least one month",
                ));
            }
            let tiers: Vec<&str> = c.tier_order.iter().map(String::as_str).collect();
            for (tier, discount) in &terms.tiers {
                let key = format!("commitment.tiers.{tier}");
                if !c.tiers.contains_key(tier) {
                    return Err(unknown(self, id, &key, tier, &tiers));
                }
                if !(*discount >= 0.0 && *discount < 1.0) {
                    return Err(self.fail(
                        id,
                        &key,
                        format_args!(
                            "a tier's discount lies in [0, 1) (0: the tier stays on demand), got {}",
                            headroom_kernel::Shown(*discount)
                        ),
                    ));
                }
            }
        }
        if let Some(observe) = &c.observe {
            self.check_observe(profile, observe)?;
        }
        Ok(())
    }

    /// `size_units`: whole and above zero, and on every rung of the ladder or
    /// none (a size-flexible commitment counts the whole ladder in them).
    fn check_size_units(&self, id: &str, base: &str, tier: &Tier) -> Result<(), Error> {
        let sizes: Vec<(&String, Option<u32>)> =
            tier.ladder.iter().map(|k| (k, tier.instances[k].size_units)).collect();
        if let Some((key, _)) = sizes.iter().find(|(_, s)| *s == Some(0)) {
            return Err(self.fail(
                id,
                &format!("{base}.instances.{key}.size_units"),
                "a size is a whole number of size units, at least 1",
            ));
        }
        let missing = sizes.iter().find(|(_, s)| s.is_none());
        let with = sizes.iter().find(|(_, s)| s.is_some());
        if let (Some((missing, _)), Some((with, _))) = (missing, with) {
            return Err(self.fail(
                id,
                &format!("{base}.instances.{missing}"),
                format_args!(
                    "has no `size_units` where `{with}` has: they go on every rung of the ladder or on none"
                ),
            ));
        }
        Ok(())
    }

    /// `[observe]`: a sound timeout, and each query named by a driver the
    /// plugin declares or a tier's capacity dimension, its PromQL not empty.
    fn check_observe(
        &self,
        profile: &LoadedProfile,
        observe: &crate::observe::ObserveConfig,
    ) -> Result<(), Error> {
        let id = profile.id();
        // An hour at most: a query that takes longer is a server that hangs.
        let t = observe.timeout_seconds;
        if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
            return Err(self.fail(
                id,
                "observe.timeout_seconds",
                format_args!(
                    "must be a time in seconds above 0 and at most 3600, got {}",
                    Shown(t)
                ),
            ));
        }
        let drivers: Vec<&str> = profile.drivers().map(|(name, _)| name).collect();
        for (driver, promql) in &observe.drivers {
            let key = format!("observe.drivers.{driver}");
            if !drivers.contains(&driver.as_str()) {
                return Err(unknown(self, id, &key, driver, &drivers));
            }
            if promql.trim().is_empty() {
                return Err(self.fail(id, &key, "the PromQL query is empty"));
            }
        }
        let tiers: Vec<&str> = self.config.tier_order.iter().map(String::as_str).collect();
        for (tier, dimensions) in &observe.loads {
            let Some(config) = self.config.tiers.get(tier) else {
                return Err(unknown(self, id, &format!("observe.loads.{tier}"), tier, &tiers));
            };
            let known: BTreeSet<&str> = config
                .instances
                .values()
                .flat_map(|i| i.capacity.keys().map(String::as_str))
                .collect();
            let known: Vec<&str> = known.into_iter().collect();
            for (dimension, promql) in dimensions {
                let key = format!("observe.loads.{tier}.{dimension}");
                if !known.contains(&dimension.as_str()) {
                    return Err(unknown(self, id, &key, dimension, &known));
                }
                if promql.trim().is_empty() {
                    return Err(self.fail(id, &key, "the PromQL query is empty"));
                }
            }
        }
        Ok(())
    }
}

impl LayeredConfig {
    /// Checks a table of numbers against the names the plugin declares:
    /// each declared name present, finite and not negative; no other name.
    fn check_declared(
        &self,
        profile: &str,
        table: &str,
        given: &BTreeMap<String, f64>,
        declared: &[&str],
        missing: &str,
    ) -> Result<(), Error> {
        for name in declared {
            let path = format!("{table}.{name}");
            match given.get(*name) {
                None => return Err(self.fail(profile, &path, missing)),
                Some(v) if !v.is_finite() || *v < 0.0 => {
                    return Err(self.fail(
                        profile,
                        &path,
                        format_args!("must be finite and not negative, got {}", Shown(*v)),
                    ))
                }
                Some(_) => {}
            }
        }
        match given.keys().find(|name| !declared.contains(&name.as_str())) {
            Some(name) => Err(unknown(self, profile, &format!("{table}.{name}"), name, declared)),
            None => Ok(()),
        }
    }
}

/// The value at dotted `key` in `dict`, and the parts of the path to it,
/// where a part may itself hold dots: each level takes a child whose name
/// is the rest of the key, or the rest's start before a dot.
fn find_path<'a>(dict: &'a Dict, key: &str) -> Option<(Vec<String>, &'a Value)> {
    dict.iter().find_map(|(child, value)| {
        if key == child {
            return Some((vec![child.clone()], value));
        }
        let rest = key.strip_prefix(child.as_str())?.strip_prefix('.')?;
        let Value::Dict(_, inner) = value else { return None };
        let (mut parts, found) = find_path(inner, rest)?;
        parts.insert(0, child.clone());
        Some((parts, found))
    })
}

/// `segment` as a TOML key: bare where it can be, else quoted (an
/// uncertain input's key, `"demand.peak_factor"`, holds dots).
fn toml_key(segment: &str) -> String {
    let bare = !segment.is_empty()
        && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        segment.to_string()
    } else {
        format!("{segment:?}")
    }
}

fn walk(
    config: &LayeredConfig,
    key: String,
    value: &Value,
    rows: &mut Vec<(String, String, String)>,
) {
    match value {
        Value::Dict(_, dict) => {
            for (child, value) in dict {
                walk(config, format!("{key}.{}", toml_key(child)), value, rows);
            }
        }
        Value::Array(_, items) if items.iter().any(|v| matches!(v, Value::Dict(..))) => {
            for (index, item) in items.iter().enumerate() {
                walk(config, format!("{key}[{index}]"), item, rows);
            }
        }
        _ => {
            let text = match toml::Value::try_from(value) {
                Ok(toml::Value::String(s)) => format!("{s:?}"),
                Ok(other) => other.to_string(),
                Err(_) => format!("{value:?}"),
            };
            // The leaf's own tag names its layer (a path lookup would split
            // a quoted key such as an uncertain input's at its dots).
            let layer = layer_of(config.figment.get_metadata(value.tag()));
            rows.push((key, text, layer));
        }
    }
}

fn same_keys<'a>(
    config: &LayeredConfig,
    profile: &str,
    list_key: &str,
    list: &[String],
    keys: impl Iterator<Item = &'a String>,
    table: &str,
) -> Result<(), Error> {
    let keys: BTreeSet<&str> = keys.map(String::as_str).collect();
    let listed: BTreeSet<&str> = list.iter().map(String::as_str).collect();
    if listed.len() != list.len() {
        return Err(config.fail(profile, list_key, "lists a key twice"));
    }
    if let Some(missing) = keys.difference(&listed).next() {
        return Err(config.fail(
            profile,
            list_key,
            format_args!("does not list `{missing}`, which `{table}` has"),
        ));
    }
    if let Some(extra) = listed.difference(&keys).next() {
        return Err(config.fail(
            profile,
            list_key,
            format_args!("lists `{extra}`, which `{table}` does not have"),
        ));
    }
    Ok(())
}

fn unknown(config: &LayeredConfig, profile: &str, key: &str, found: &str, known: &[&str]) -> Error {
    let hint = closest(found, known)
        .map(|k| format!("did you mean `{k}`?"))
        .unwrap_or_else(|| format!("known: {}", known.join(", ")));
    config.fail(profile, key, format_args!("unknown name `{found}`; {hint}"))
}

/// The directory of `config/` files: `dir` if given, else `./config` when it
/// exists, else `config/` beside the binary or two levels up from it (the
/// workspace, when the binary runs from `target/<profile>/`).
pub fn find_config_dir(given: Option<&Path>, exe: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = given {
        return Some(dir.to_path_buf());
    }
    let cwd = PathBuf::from("config");
    if cwd.is_dir() {
        return Some(cwd);
    }
    let exe_dir = exe?.parent()?;
    [exe_dir.join("config"), exe_dir.join("../../config")].into_iter().find(|d| d.is_dir())
}
