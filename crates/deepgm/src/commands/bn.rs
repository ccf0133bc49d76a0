//! `deepgm bn info|query|mpe|sample|learn|learn-structure|score|convert`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use deepgm_bn::{
    cpdag_shd, dag_shd, hill_climb, parse_targets, Dag, Evidence, FamilyScorer, GibbsParams,
    HillClimbParams, HillClimbResult, LearnParams, LikelihoodWeightingParams, Marginal, Method,
    MpeParams, Network, QueryParams, SampleParams, Shd, StructureScore, Summary,
};
use deepgm_bn::{MarkovNetwork, Model, Variables};
use deepgm_core::progress::NoProgress;
use serde::Serialize;

use crate::cli::{
    BnCommand, BnConvertArgs, BnInfoArgs, BnLearnArgs, BnLearnStructureArgs, BnMethod, BnMpeArgs,
    BnPrior, BnQueryArgs, BnSampleArgs, BnScoreArg, BnScoreArgs,
};
use crate::ui::Ui;

// `query --cases` (many evidence sets, one compiled network), in a file of its own.
#[path = "bn_cases.rs"]
mod cases;

pub fn run(cmd: BnCommand, ui: Ui) -> anyhow::Result<()> {
    match cmd {
        BnCommand::Info(args) => info(&args, ui),
        BnCommand::Query(args) => query(&args, ui),
        BnCommand::Mpe(args) => mpe(&args, ui),
        BnCommand::Sample(args) => sample(&args, ui),
        BnCommand::Learn(args) => learn(&args, ui),
        BnCommand::LearnStructure(args) => learn_structure(&args, ui),
        BnCommand::Score(args) => score(&args, ui),
        BnCommand::Convert(args) => convert(&args, ui),
    }
}

/// Loads a network, returning it with the seconds the load took.
fn load(path: &Path) -> anyhow::Result<(Network, f64)> {
    let start = Instant::now();
    let net = deepgm_bn::load(path)?;
    Ok((net, start.elapsed().as_secs_f64()))
}

/// Loads a Bayesian or a Markov network, returning it with the seconds the load took.
fn load_model(path: &Path) -> anyhow::Result<(Model, f64)> {
    let start = Instant::now();
    let model = deepgm_bn::load_model(path)?;
    Ok((model, start.elapsed().as_secs_f64()))
}

/// The evidence of `--evidence` and `--evidence-file` together (a variable given in both is an
/// error).
fn read_evidence<M: Variables>(
    model: &M,
    text: &str,
    file: Option<&Path>,
) -> anyhow::Result<Evidence> {
    let mut evidence = Evidence::parse(model, text)?;
    if let Some(path) = file {
        let from_file = deepgm_bn::load_uai_evidence(path, model)?;
        let mut pairs = evidence.pairs().to_vec();
        pairs.extend_from_slice(from_file.pairs());
        evidence = Evidence::from_pairs(model, &pairs)?;
    }
    Ok(evidence)
}

/// A library report with the seconds the command took, as `--json` prints it.
#[derive(Serialize)]
struct Timed<'a, R: Serialize> {
    #[serde(flatten)]
    report: &'a R,
    seconds: f64,
    parse_seconds: f64,
}

/// What `info --json` prints.
#[derive(Serialize)]
struct InfoJson<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    file: String,
    valid: bool,
    parse_seconds: f64,
}

fn info(args: &BnInfoArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, parse_seconds) = match load_model(&args.net)? {
        (Model::Bayesian(net), seconds) => (net, seconds),
        (Model::Markov(markov), seconds) => return info_markov(args, &markov, seconds, ui),
    };
    let summary = deepgm_bn::summarize(&net);
    if ui.json {
        print_serialized(
            ui,
            &InfoJson {
                summary: &summary,
                file: args.net.display().to_string(),
                valid: true,
                parse_seconds,
            },
        );
    } else {
        ui.say(format!(
            "network {} ({})",
            summary.network,
            args.net.display()
        ));
        ui.say(format!(
            "variables {}, arcs {}, free parameters {}, states {}, max in-degree {}",
            summary.n_variables,
            summary.n_arcs,
            summary.n_parameters,
            summary.n_states,
            summary.max_in_degree
        ));
        ui.say("valid: acyclic, tables sized to match, every row sums to 1 within 1e-6");
        ui.say(format!(
            "treewidth bound {} ({} ordering; largest table {:.0} entries, {:.3e} in all)",
            summary.treewidth_bound,
            summary.ordering.name(),
            summary.largest_clique_entries,
            summary.elimination_entries
        ));
        ui.say(format!("read in {:.3} s", parse_seconds));
        if summary.n_variables <= 60 {
            for v in &summary.variables {
                ui.say(format!(
                    "  {} {{{}}}{}",
                    v.name,
                    v.states.join(", "),
                    if v.parents.is_empty() {
                        String::new()
                    } else {
                        format!(" | {}", v.parents.join(", "))
                    }
                ));
            }
        }
    }
    Ok(())
}

/// Prints a serializable report as JSON.
fn print_serialized<R: Serialize>(ui: Ui, report: &R) {
    ui.print_json(&serde_json::to_value(report).expect("reports serialize"));
}

fn print_marginals(ui: Ui, marginals: &[Marginal]) {
    for m in marginals {
        let cells: Vec<String> = m
            .states
            .iter()
            .zip(&m.probabilities)
            .map(|(s, p)| format!("{s} {p:.6}"))
            .collect();
        ui.say(format!("{}: {}", m.name, cells.join("  ")));
    }
}

fn query(args: &BnQueryArgs, ui: Ui) -> anyhow::Result<()> {
    deepgm_core::parallel::start_worker_threads();
    if let Some(path) = &args.cases {
        return cases::query_cases(args, path, ui);
    }
    let (net, parse_seconds) = match load_model(&args.net)? {
        (Model::Bayesian(net), seconds) => (net, seconds),
        (Model::Markov(markov), seconds) => return query_markov(args, &markov, seconds, ui),
    };
    let evidence = read_evidence(&net, &args.evidence, args.evidence_file.as_deref())?;
    let targets = match &args.target {
        Some(text) => Some(parse_targets(&net, text, "targets")?),
        None => None,
    };
    let targets = targets.as_deref();
    let start = Instant::now();
    let method = match args.method {
        BnMethod::Auto => Method::Auto,
        BnMethod::Jt => Method::JunctionTree,
        BnMethod::Ve => Method::VariableElimination,
        BnMethod::Lw => {
            let params = LikelihoodWeightingParams {
                samples: args.samples,
                seed: args.seed,
            };
            let bar = ui.progress();
            let estimate =
                deepgm_bn::likelihood_weighting(&net, &evidence, targets, &params, &bar)?;
            drop(bar);
            return print_estimate(ui, &estimate, start, parse_seconds);
        }
        BnMethod::Gibbs => {
            let params = GibbsParams {
                samples: args.samples,
                burn_in: args.burn_in,
                seed: args.seed,
            };
            let bar = ui.progress();
            let estimate = deepgm_bn::gibbs(&net, &evidence, targets, &params, &bar)?;
            drop(bar);
            return print_estimate(ui, &estimate, start, parse_seconds);
        }
    };
    let mut params = QueryParams {
        method,
        ..QueryParams::default()
    };
    if let Some(bytes) = args.memory_budget() {
        params.max_memory = bytes;
    }
    let answer = deepgm_bn::query(&net, &evidence, targets, &params, &NoProgress)?;
    let seconds = start.elapsed().as_secs_f64();
    if ui.json {
        print_timed(ui, &answer, seconds, parse_seconds);
    } else {
        print_answer(
            ui,
            Some(answer.log_evidence),
            &answer.marginals,
            answer.method.name(),
            seconds,
            parse_seconds,
        );
    }
    Ok(())
}

/// Prints a sampled answer of `query`.
fn print_estimate(
    ui: Ui,
    estimate: &deepgm_bn::Estimate,
    start: Instant,
    parse_seconds: f64,
) -> anyhow::Result<()> {
    let seconds = start.elapsed().as_secs_f64();
    if ui.json {
        print_timed(ui, estimate, seconds, parse_seconds);
    } else {
        print_answer(
            ui,
            estimate.log_evidence,
            &estimate.marginals,
            estimate.method.name(),
            seconds,
            parse_seconds,
        );
    }
    Ok(())
}

fn print_timed<R: Serialize>(ui: Ui, report: &R, seconds: f64, parse_seconds: f64) {
    print_serialized(
        ui,
        &Timed {
            report,
            seconds,
            parse_seconds,
        },
    );
}

fn print_answer(
    ui: Ui,
    log_evidence: Option<f64>,
    marginals: &[Marginal],
    method: &str,
    seconds: f64,
    parse_seconds: f64,
) {
    match log_evidence {
        Some(l) => ui.say(format!("log P(evidence) = {l:.9} (P = {:.6e})", l.exp())),
        None => ui.say("log P(evidence): not estimated by this method"),
    }
    print_marginals(ui, marginals);
    ui.note(format!(
        "{method}: {seconds:.4} s (read in {parse_seconds:.3} s)"
    ));
}

fn mpe(args: &BnMpeArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, parse_seconds) = match load_model(&args.net)? {
        (Model::Bayesian(net), seconds) => (net, seconds),
        (Model::Markov(markov), seconds) => return map_markov(args, &markov, seconds, ui),
    };
    let evidence = read_evidence(&net, &args.evidence, args.evidence_file.as_deref())?;
    let mut params = MpeParams::default();
    if let Some(bytes) = args.memory_budget() {
        params.max_memory = bytes;
    }
    let start = Instant::now();
    let found = deepgm_bn::mpe(&net, &evidence, &params, &NoProgress)?;
    let seconds = start.elapsed().as_secs_f64();
    if ui.json {
        print_timed(ui, &found, seconds, parse_seconds);
    } else {
        ui.say(format!(
            "log P(x) = {:.9} (P = {:.6e})",
            found.log_prob,
            found.log_prob.exp()
        ));
        // By name, as the JSON object lists them.
        let mut states: Vec<_> = found.states.iter().collect();
        states.sort_by(|a, b| a.name.cmp(&b.name));
        for s in states {
            ui.say(format!("{} = {}", s.name, s.state_name));
        }
        ui.note(format!("{seconds:.4} s"));
    }
    Ok(())
}

fn convert(args: &BnConvertArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, _) = load_model(&args.input)?;
    deepgm_bn::save_model(&net, &args.output)?;
    if ui.json {
        #[derive(Serialize)]
        struct ConvertJson {
            input: String,
            output: String,
            n_variables: usize,
        }
        print_serialized(
            ui,
            &ConvertJson {
                input: args.input.display().to_string(),
                output: args.output.display().to_string(),
                n_variables: net.n_variables(),
            },
        );
    } else {
        ui.say(format!(
            "wrote {} ({} variables)",
            args.output.display(),
            net.n_variables()
        ));
    }
    Ok(())
}

fn sample(args: &BnSampleArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, _) = load(&args.net)?;
    let start = Instant::now();
    let params = SampleParams {
        samples: args.samples,
        seed: args.seed,
    };
    let bar = ui.progress();
    let data = deepgm_bn::forward_sample(&net, &params, &bar)?;
    drop(bar);
    let seconds = start.elapsed().as_secs_f64();
    deepgm_bn::save_csv(&net, &data, &args.output)?;
    if ui.json {
        #[derive(Serialize)]
        struct SampleJson {
            output: String,
            samples: usize,
            variables: usize,
            seed: u64,
            seconds: f64,
        }
        print_serialized(
            ui,
            &SampleJson {
                output: args.output.display().to_string(),
                samples: data.n_rows(),
                variables: data.n_columns(),
                seed: params.seed,
                seconds,
            },
        );
    } else {
        ui.say(format!(
            "wrote {} samples of {} variables to {} ({seconds:.3} s)",
            data.n_rows(),
            data.n_columns(),
            args.output.display()
        ));
    }
    Ok(())
}

fn learn(args: &BnLearnArgs, ui: Ui) -> anyhow::Result<()> {
    let (structure, _) = load(&args.structure)?;
    let data = deepgm_bn::load_csv(&structure, &args.data)?;
    let learned = deepgm_bn::learn_parameters(
        &structure,
        &data,
        &learn_params(args.prior, args.ess),
        &NoProgress,
    )?;
    deepgm_bn::save(&learned, &args.output)?;
    // How far the learned tables moved from the structure file's own.
    let largest_change = structure
        .cpts()
        .iter()
        .zip(learned.cpts())
        .flat_map(|(a, b)| a.values.iter().zip(&b.values).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f64::max);
    if ui.json {
        #[derive(Serialize)]
        struct LearnJson {
            output: String,
            rows: usize,
            prior: &'static str,
            ess: f64,
            parameters: usize,
            largest_change_from_structure_tables: f64,
        }
        print_serialized(
            ui,
            &LearnJson {
                output: args.output.display().to_string(),
                rows: data.n_rows(),
                prior: match args.prior {
                    BnPrior::Mle => "mle",
                    BnPrior::Bdeu => "bdeu",
                },
                ess: args.ess,
                parameters: learned.n_parameters(),
                largest_change_from_structure_tables: largest_change,
            },
        );
    } else {
        ui.say(format!(
            "learned {} parameters from {} rows, wrote {}",
            learned.n_parameters(),
            data.n_rows(),
            args.output.display()
        ));
        ui.say(format!(
            "largest absolute difference between a learned probability and the same entry of \
             the structure file's tables: {largest_change:.4}"
        ));
    }
    Ok(())
}

fn structure_score(score: BnScoreArg, ess: f64) -> StructureScore {
    match score {
        BnScoreArg::Bic => StructureScore::Bic,
        BnScoreArg::Aic => StructureScore::Aic,
        BnScoreArg::K2 => StructureScore::K2,
        BnScoreArg::Bdeu => StructureScore::BDeu { ess },
        BnScoreArg::Ll => StructureScore::LogLikelihood,
    }
}

fn learn_params(prior: BnPrior, ess: f64) -> LearnParams {
    LearnParams {
        prior: match prior {
            BnPrior::Mle => deepgm_bn::Prior::MaximumLikelihood,
            BnPrior::Bdeu => deepgm_bn::Prior::BDeu { ess },
        },
    }
}

/// The `compare` object of `learn-structure` and `score`: distances to a reference network
/// (and, for `learn-structure`, the reference graph's score).
#[derive(Serialize)]
struct CompareJson {
    network: String,
    dag_shd: Shd,
    cpdag_shd: Shd,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
}

fn shd_text(shd: &Shd) -> String {
    format!(
        "{} (missing {}, extra {}, reversed {})",
        shd.total(),
        shd.missing,
        shd.extra,
        shd.reversed
    )
}

fn learn_structure(args: &BnLearnStructureArgs, ui: Ui) -> anyhow::Result<()> {
    let started = Instant::now();
    let (net, data, notes) = deepgm_bn::load_data(&args.scoring.data, args.keep_constant)?;
    let load_seconds = started.elapsed().as_secs_f64();
    let score = structure_score(args.scoring.score, args.scoring.ess);
    let start = match &args.start {
        Some(path) => Some(deepgm_bn::dag_by_names(&net, &load(path)?.0)?),
        None => None,
    };
    let arcs = |path: &Option<std::path::PathBuf>| -> anyhow::Result<Vec<(usize, usize)>> {
        Ok(match path {
            Some(p) => deepgm_bn::load_arcs(&net, p)?,
            None => Vec::new(),
        })
    };
    let params = HillClimbParams {
        max_indegree: args.max_indegree,
        tabu_length: args.tabu,
        restarts: args.restarts,
        perturb: args.perturb,
        seed: args.seed,
        tolerance: args.tolerance,
        patience: args.patience,
        start,
        whitelist: arcs(&args.whitelist)?,
        blacklist: arcs(&args.blacklist)?,
        ..HillClimbParams::default()
    };
    let bar = ui.progress();
    let searching = Instant::now();
    let scorer = FamilyScorer::new(&net, &data, score)?;
    let found = hill_climb(&scorer, &params, &bar)?;
    let search_seconds = searching.elapsed().as_secs_f64();
    drop(bar);
    let learned = deepgm_bn::fit(
        &net,
        &found.dag,
        &data,
        &learn_params(args.prior, args.scoring.ess),
        &NoProgress,
    )?;
    deepgm_bn::save(&learned, &args.output)?;
    let seconds = started.elapsed().as_secs_f64();
    let compared = match &args.compare {
        Some(path) => {
            let reference = load(path)?.0;
            let truth = deepgm_bn::dag_by_names(&net, &reference)?;
            Some((
                path,
                dag_shd(&found.dag, &truth)?,
                cpdag_shd(&found.dag, &truth)?,
                scorer.dag_score(&truth),
            ))
        }
        None => None,
    };
    let name = |v: usize| net.variable(v).name.clone();
    if ui.json {
        #[derive(Serialize)]
        struct LearnStructureJson<'a> {
            #[serde(flatten)]
            found: &'a HillClimbResult,
            output: String,
            score_name: &'static str,
            arcs: Vec<(String, String)>,
            n_arcs: usize,
            rows: usize,
            seconds: f64,
            load_seconds: f64,
            search_seconds: f64,
            notes: &'a [String],
            compare: Option<CompareJson>,
        }
        print_serialized(
            ui,
            &LearnStructureJson {
                found: &found,
                output: args.output.display().to_string(),
                score_name: score.name(),
                arcs: found
                    .dag
                    .arcs()
                    .into_iter()
                    .map(|(a, b)| (name(a), name(b)))
                    .collect(),
                n_arcs: found.dag.n_arcs(),
                rows: data.n_rows(),
                seconds,
                load_seconds,
                search_seconds,
                notes: &notes,
                compare: compared
                    .as_ref()
                    .map(|(path, dag, cpdag, truth)| CompareJson {
                        network: path.display().to_string(),
                        dag_shd: *dag,
                        cpdag_shd: *cpdag,
                        score: Some(*truth),
                    }),
            },
        );
        return Ok(());
    }
    for note in &notes {
        ui.note(format!("note: {note}"));
    }
    ui.say(format!(
        "learned {} arcs over {} variables from {} rows: {} {:.3}, {} steps, {} families scored, {:.3} s",
        found.dag.n_arcs(),
        net.n_variables(),
        data.n_rows(),
        score.name(),
        found.score,
        found.iterations,
        found.families_scored,
        seconds
    ));
    if let Some((path, dag, cpdag, truth)) = &compared {
        ui.say(format!(
            "against {}: DAG distance {}, CPDAG distance {}; its graph scores {truth:.3}",
            path.display(),
            shd_text(dag),
            shd_text(cpdag)
        ));
    }
    ui.say(format!("wrote {}", args.output.display()));
    Ok(())
}

fn score(args: &BnScoreArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, _) = load(&args.net)?;
    let data = deepgm_bn::load_csv(&net, &args.scoring.data)?;
    let score = structure_score(args.scoring.score, args.scoring.ess);
    let scorer = FamilyScorer::new(&net, &data, score)?;
    let dag = Dag::of_network(&net);
    let families: Vec<(String, f64)> = (0..net.n_variables())
        .map(|v| {
            (
                net.variable(v).name.clone(),
                scorer.family(v, dag.parents(v)),
            )
        })
        .collect();
    let total = scorer.dag_score(&dag);
    let compared = match &args.compare {
        Some(path) => {
            let truth = deepgm_bn::dag_by_names(&net, &load(path)?.0)?;
            Some((path, dag_shd(&dag, &truth)?, cpdag_shd(&dag, &truth)?))
        }
        None => None,
    };
    if ui.json {
        #[derive(Serialize)]
        struct ScoreJson {
            score_name: &'static str,
            score: f64,
            rows: usize,
            n_arcs: usize,
            families: BTreeMap<String, f64>,
            compare: Option<CompareJson>,
        }
        print_serialized(
            ui,
            &ScoreJson {
                score_name: score.name(),
                score: total,
                rows: data.n_rows(),
                n_arcs: dag.n_arcs(),
                families: families.into_iter().collect(),
                compare: compared.as_ref().map(|(path, d, c)| CompareJson {
                    network: path.display().to_string(),
                    dag_shd: *d,
                    cpdag_shd: *c,
                    score: None,
                }),
            },
        );
        return Ok(());
    }
    ui.say(format!(
        "{} of {} on {} rows: {total:.6}",
        score.name(),
        args.net.display(),
        data.n_rows()
    ));
    if let Some((path, d, c)) = &compared {
        ui.say(format!(
            "against {}: DAG distance {}, CPDAG distance {}",
            path.display(),
            shd_text(d),
            shd_text(c)
        ));
    }
    Ok(())
}

/// What `info --json` prints for a Markov network.
#[derive(Serialize)]
struct MarkovInfoJson<'a> {
    #[serde(flatten)]
    summary: &'a deepgm_bn::MarkovSummary,
    file: String,
    model: &'static str,
    valid: bool,
    parse_seconds: f64,
}

/// `bn info` on a UAI MARKOV file.
fn info_markov(
    args: &BnInfoArgs,
    net: &MarkovNetwork,
    parse_seconds: f64,
    ui: Ui,
) -> anyhow::Result<()> {
    let summary = deepgm_bn::summarize_markov(net);
    if ui.json {
        print_serialized(
            ui,
            &MarkovInfoJson {
                summary: &summary,
                file: args.net.display().to_string(),
                model: "markov",
                valid: true,
                parse_seconds,
            },
        );
        return Ok(());
    }
    ui.say(format!("Markov network ({})", args.net.display()));
    ui.say(format!(
        "variables {}, factors {}, states {}, table entries {}, largest scope {}, components {}",
        summary.n_variables,
        summary.n_potentials,
        summary.n_states,
        summary.n_table_entries,
        summary.max_scope,
        summary.n_components
    ));
    ui.say("valid: scopes in range without repeats, tables sized to match, values finite and >= 0");
    ui.say(format!(
        "treewidth bound {} ({} ordering; largest table {:.0} entries, {:.3e} in all)",
        summary.treewidth_bound,
        summary.ordering.name(),
        summary.largest_clique_entries,
        summary.elimination_entries
    ));
    ui.say(format!("read in {parse_seconds:.3} s"));
    Ok(())
}

/// `bn query` on a UAI MARKOV file: exact methods only.
fn query_markov(
    args: &BnQueryArgs,
    net: &MarkovNetwork,
    parse_seconds: f64,
    ui: Ui,
) -> anyhow::Result<()> {
    let evidence = read_evidence(net, &args.evidence, args.evidence_file.as_deref())?;
    let targets = match &args.target {
        Some(text) => Some(parse_targets(net, text, "targets")?),
        None => None,
    };
    let method = match args.method {
        BnMethod::Auto => Method::Auto,
        BnMethod::Jt => Method::JunctionTree,
        BnMethod::Ve => Method::VariableElimination,
        sampled @ (BnMethod::Lw | BnMethod::Gibbs) => {
            let name = if sampled == BnMethod::Lw {
                "lw"
            } else {
                "gibbs"
            };
            return Err(deepgm_core::Error::param(
                "--method",
                name,
                format!(
                    "auto, jt or ve: {} holds a Markov network, and lw and gibbs sample a \
                     Bayesian network",
                    args.net.display()
                ),
            )
            .into());
        }
    };
    let mut params = QueryParams {
        method,
        ..QueryParams::default()
    };
    if let Some(bytes) = args.memory_budget() {
        params.max_memory = bytes;
    }
    let start = Instant::now();
    let answer = deepgm_bn::query_markov(net, &evidence, targets.as_deref(), &params, &NoProgress)?;
    let seconds = start.elapsed().as_secs_f64();
    if ui.json {
        print_timed(ui, &answer, seconds, parse_seconds);
    } else {
        let log_z = answer.log_evidence;
        ui.say(format!(
            "ln Z(evidence) = {log_z:.9} (log10 {:.6})",
            log_z / std::f64::consts::LN_10
        ));
        print_marginals(ui, &answer.marginals);
        ui.note(format!(
            "{}: {seconds:.4} s (read in {parse_seconds:.3} s)",
            answer.method.name()
        ));
    }
    Ok(())
}

/// `bn mpe` on a UAI MARKOV file: the MAP assignment.
fn map_markov(
    args: &BnMpeArgs,
    net: &MarkovNetwork,
    parse_seconds: f64,
    ui: Ui,
) -> anyhow::Result<()> {
    let evidence = read_evidence(net, &args.evidence, args.evidence_file.as_deref())?;
    let mut params = MpeParams::default();
    if let Some(bytes) = args.memory_budget() {
        params.max_memory = bytes;
    }
    let start = Instant::now();
    let found = deepgm_bn::map_markov(net, &evidence, &params, &NoProgress)?;
    let seconds = start.elapsed().as_secs_f64();
    if ui.json {
        print_timed(ui, &found, seconds, parse_seconds);
    } else {
        ui.say(format!(
            "log value = {:.9} (ln of the product of the factors, unnormalized)",
            found.log_value
        ));
        // UAI variables are indices: in index order, as a .MAP file lists them.
        let states: Vec<&str> = found.states.iter().map(|s| s.state_name.as_str()).collect();
        ui.say(format!("{} {}", states.len(), states.join(" ")));
        ui.note(format!("{seconds:.4} s"));
    }
    Ok(())
}
