//! `deepgm bn info|query|mpe|sample|learn|learn-structure|score|convert`.

use std::path::Path;
use std::time::Instant;

use deepgm_bn::inference::{self, parse_targets, Evidence, Method, Options};
use deepgm_bn::order::InteractionGraph;
use deepgm_bn::structure::{
    self, cpdag_shd, dag_shd, hill_climb, Dag, FamilyScorer, HillClimbParams, Shd, StructureScore,
};
use deepgm_bn::Network;
use deepgm_core::Error;
use serde_json::{json, Map, Value};

use crate::cli::{
    BnCommand, BnConvertArgs, BnInfoArgs, BnLearnArgs, BnLearnStructureArgs, BnMethod, BnMpeArgs,
    BnPrior, BnQueryArgs, BnSampleArgs, BnScoreArg, BnScoreArgs,
};
use crate::ui::Ui;

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

fn options(max_table_entries: f64) -> anyhow::Result<Options> {
    if !(max_table_entries.is_finite() && max_table_entries >= 1.0) {
        return Err(Error::invalid(
            "--max-table-entries",
            format!("{max_table_entries}: expected a number of at least 1"),
        )
        .into());
    }
    Ok(Options { max_table_entries })
}

fn info(args: &BnInfoArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, parse_seconds) = load(&args.net)?;
    // The moral graph: each family (a variable and its parents) is a clique.
    let scopes: Vec<Vec<usize>> = (0..net.n_variables())
        .map(|v| {
            let mut s = net.parents(v).to_vec();
            s.push(v);
            s.sort_unstable();
            s
        })
        .collect();
    let vars: Vec<usize> = (0..net.n_variables()).collect();
    let cards = vars.iter().map(|&v| net.cardinality(v)).collect();
    let graph = InteractionGraph::from_scopes(vars, cards, scopes.iter().map(Vec::as_slice));
    let plan = graph.best_plan(&[]);
    let states: usize = net.variables().iter().map(|v| v.cardinality()).sum();
    if ui.json {
        let variables: Vec<Value> = net
            .variables()
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json!({
                    "name": v.name,
                    "states": v.states,
                    "parents": net.parents(i).iter().map(|&p| net.variable(p).name.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        ui.print_json(&json!({
            "network": net.name(),
            "file": args.net.display().to_string(),
            "valid": true,
            "n_variables": net.n_variables(),
            "n_arcs": net.n_arcs(),
            "n_parameters": net.n_parameters(),
            "n_states": states,
            "max_in_degree": net.max_in_degree(),
            "treewidth_bound": plan.induced_width,
            "ordering": plan.heuristic.name(),
            "largest_clique_entries": plan.largest_entries,
            "elimination_entries": plan.total_entries,
            "parse_seconds": parse_seconds,
            "variables": variables,
        }));
    } else {
        ui.say(format!("network {} ({})", net.name(), args.net.display()));
        ui.say(format!(
            "variables {}, arcs {}, free parameters {}, states {}, max in-degree {}",
            net.n_variables(),
            net.n_arcs(),
            net.n_parameters(),
            states,
            net.max_in_degree()
        ));
        ui.say("valid: acyclic, tables sized to match, every row sums to 1 within 1e-6");
        ui.say(format!(
            "treewidth bound {} ({} ordering; largest table {:.0} entries, {:.3e} in all)",
            plan.induced_width,
            plan.heuristic.name(),
            plan.largest_entries,
            plan.total_entries
        ));
        ui.say(format!("read in {:.3} s", parse_seconds));
        if net.n_variables() <= 60 {
            for (i, v) in net.variables().iter().enumerate() {
                let parents: Vec<&str> = net
                    .parents(i)
                    .iter()
                    .map(|&p| net.variable(p).name.as_str())
                    .collect();
                ui.say(format!(
                    "  {} {{{}}}{}",
                    v.name,
                    v.states.join(", "),
                    if parents.is_empty() {
                        String::new()
                    } else {
                        format!(" | {}", parents.join(", "))
                    }
                ));
            }
        }
    }
    Ok(())
}

/// Marginals as `{"VAR": {"STATE": p}}`, in the order given.
fn marginals_json(net: &Network, marginals: &[(usize, Vec<f64>)]) -> Value {
    let mut out = Map::new();
    for (v, dist) in marginals {
        let var = net.variable(*v);
        let mut states = Map::new();
        for (s, p) in var.states.iter().zip(dist) {
            states.insert(s.clone(), json!(p));
        }
        out.insert(var.name.clone(), Value::Object(states));
    }
    Value::Object(out)
}

fn print_marginals(ui: Ui, net: &Network, marginals: &[(usize, Vec<f64>)]) {
    for (v, dist) in marginals {
        let var = net.variable(*v);
        let cells: Vec<String> = var
            .states
            .iter()
            .zip(dist)
            .map(|(s, p)| format!("{s} {p:.6}"))
            .collect();
        ui.say(format!("{}: {}", var.name, cells.join("  ")));
    }
}

fn query(args: &BnQueryArgs, ui: Ui) -> anyhow::Result<()> {
    deepgm_core::parallel::start_worker_threads();
    let (net, parse_seconds) = load(&args.net)?;
    let evidence = Evidence::parse(&net, &args.evidence)?;
    let targets = match &args.target {
        Some(text) => Some(parse_targets(&net, text, "--target")?),
        None => None,
    };
    let options = options(args.max_table_entries)?;
    let start = Instant::now();
    let (log_evidence, marginals, method, detail) = match args.method {
        BnMethod::Auto | BnMethod::Jt | BnMethod::Ve => {
            let method = match args.method {
                BnMethod::Jt => Method::JunctionTree,
                BnMethod::Ve => Method::VariableElimination,
                _ => Method::Auto,
            };
            let result = inference::query(&net, &evidence, targets.as_deref(), method, &options)?;
            let detail = json!({
                "pruned_variables": result.cost.variables,
                "table_entries": result.cost.total_entries,
                "largest_table_entries": result.cost.largest_entries,
                "induced_width": result.cost.induced_width,
            });
            (
                Some(result.log_evidence),
                result.marginals,
                result.method.name(),
                detail,
            )
        }
        BnMethod::Lw | BnMethod::Gibbs => sampled_query(&net, &evidence, targets.as_deref(), args)?,
    };
    let seconds = start.elapsed().as_secs_f64();
    if ui.json {
        ui.print_json(&json!({
            "log_evidence": log_evidence,
            "marginals": marginals_json(&net, &marginals),
            "seconds": seconds,
            "parse_seconds": parse_seconds,
            "method": method,
            "evidence": evidence_json(&net, &evidence),
            "detail": detail,
        }));
    } else {
        match log_evidence {
            Some(l) => ui.say(format!("log P(evidence) = {l:.9} (P = {:.6e})", l.exp())),
            None => ui.say("log P(evidence): not estimated by this method"),
        }
        print_marginals(ui, &net, &marginals);
        ui.note(format!(
            "{method}: {seconds:.4} s (read in {parse_seconds:.3} s)"
        ));
    }
    Ok(())
}

fn evidence_json(net: &Network, evidence: &Evidence) -> Value {
    let mut out = Map::new();
    for &(v, s) in evidence.pairs() {
        let var = net.variable(v);
        out.insert(var.name.clone(), json!(var.states[s]));
    }
    Value::Object(out)
}

fn mpe(args: &BnMpeArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, parse_seconds) = load(&args.net)?;
    let evidence = Evidence::parse(&net, &args.evidence)?;
    let options = options(args.max_table_entries)?;
    let start = Instant::now();
    let found = inference::mpe(&net, &evidence, &options)?;
    let seconds = start.elapsed().as_secs_f64();
    let mut assignment = Map::new();
    for (v, &s) in found.assignment.iter().enumerate() {
        let var = net.variable(v);
        assignment.insert(var.name.clone(), json!(var.states[s]));
    }
    if ui.json {
        ui.print_json(&json!({
            "assignment": Value::Object(assignment),
            "log_prob": found.log_prob,
            "evidence": evidence_json(&net, &evidence),
            "induced_width": found.induced_width,
            "seconds": seconds,
            "parse_seconds": parse_seconds,
        }));
    } else {
        ui.say(format!(
            "log P(x) = {:.9} (P = {:.6e})",
            found.log_prob,
            found.log_prob.exp()
        ));
        for (name, state) in &assignment {
            ui.say(format!("{name} = {}", state.as_str().unwrap_or_default()));
        }
        ui.note(format!("{seconds:.4} s"));
    }
    Ok(())
}

fn convert(args: &BnConvertArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, _) = load(&args.input)?;
    deepgm_bn::save(&net, &args.output)?;
    if ui.json {
        ui.print_json(&json!({
            "input": args.input.display().to_string(),
            "output": args.output.display().to_string(),
            "n_variables": net.n_variables(),
        }));
    } else {
        ui.say(format!(
            "wrote {} ({} variables)",
            args.output.display(),
            net.n_variables()
        ));
    }
    Ok(())
}

/// What `query` prints: log P(e) (when the method gives it), the marginals, the method's name and
/// method-specific details.
type Answer = (Option<f64>, Vec<(usize, Vec<f64>)>, &'static str, Value);

/// Likelihood weighting or Gibbs sampling, as `query` reports them.
fn sampled_query(
    net: &Network,
    evidence: &Evidence,
    targets: Option<&[usize]>,
    args: &BnQueryArgs,
) -> anyhow::Result<Answer> {
    let (estimate, name) = match args.method {
        BnMethod::Lw => (
            deepgm_bn::likelihood_weighting(net, evidence, targets, args.samples, args.seed)?,
            "lw",
        ),
        _ => (
            deepgm_bn::gibbs(
                net,
                evidence,
                targets,
                args.samples,
                args.burn_in,
                args.seed,
            )?,
            "gibbs",
        ),
    };
    let detail = json!({
        "samples": estimate.samples,
        "effective_samples": estimate.effective_samples,
        "seed": args.seed,
    });
    Ok((estimate.log_evidence, estimate.marginals, name, detail))
}

fn sample(args: &BnSampleArgs, ui: Ui) -> anyhow::Result<()> {
    let (net, _) = load(&args.net)?;
    let start = Instant::now();
    let data = deepgm_bn::forward_sample(&net, args.samples, args.seed)?;
    let seconds = start.elapsed().as_secs_f64();
    deepgm_bn::save_csv(&net, &data, &args.output)?;
    if ui.json {
        ui.print_json(&json!({
            "output": args.output.display().to_string(),
            "samples": data.n_rows(),
            "variables": data.n_columns(),
            "seed": args.seed,
            "seconds": seconds,
        }));
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
    let learned = deepgm_bn::learn_parameters(&structure, &data, prior_of(args.prior, args.ess))?;
    deepgm_bn::save(&learned, &args.output)?;
    // How far the learned tables moved from the structure file's own.
    let largest_change = structure
        .cpts()
        .iter()
        .zip(learned.cpts())
        .flat_map(|(a, b)| a.values.iter().zip(&b.values).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f64::max);
    if ui.json {
        ui.print_json(&json!({
            "output": args.output.display().to_string(),
            "rows": data.n_rows(),
            "prior": match args.prior { BnPrior::Mle => "mle", BnPrior::Bdeu => "bdeu" },
            "ess": args.ess,
            "parameters": learned.n_parameters(),
            "largest_change_from_structure_tables": largest_change,
        }));
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

fn prior_of(prior: BnPrior, ess: f64) -> deepgm_bn::Prior {
    match prior {
        BnPrior::Mle => deepgm_bn::Prior::MaximumLikelihood,
        BnPrior::Bdeu => deepgm_bn::Prior::BDeu { ess },
    }
}

fn shd_json(shd: &Shd) -> Value {
    json!({"missing": shd.missing, "extra": shd.extra, "reversed": shd.reversed, "total": shd.total()})
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
    let (net, data, notes) = structure::load_data(&args.scoring.data, args.keep_constant)?;
    let load_seconds = started.elapsed().as_secs_f64();
    let score = structure_score(args.scoring.score, args.scoring.ess);
    let start = match &args.start {
        Some(path) => Some(structure::dag_by_names(&net, &load(path)?.0)?),
        None => None,
    };
    let arcs = |path: &Option<std::path::PathBuf>| -> anyhow::Result<Vec<(usize, usize)>> {
        Ok(match path {
            Some(p) => structure::load_arcs(&net, p)?,
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
    let learned = structure::fit(
        &net,
        &found.dag,
        &data,
        prior_of(args.prior, args.scoring.ess),
    )?;
    deepgm_bn::save(&learned, &args.output)?;
    let seconds = started.elapsed().as_secs_f64();
    let compared = match &args.compare {
        Some(path) => {
            let reference = load(path)?.0;
            let truth = structure::dag_by_names(&net, &reference)?;
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
        let arcs: Vec<Value> = found
            .dag
            .arcs()
            .into_iter()
            .map(|(a, b)| json!([name(a), name(b)]))
            .collect();
        ui.print_json(&json!({
            "output": args.output.display().to_string(),
            "score_name": score.name(),
            "score": found.score,
            "arcs": arcs,
            "n_arcs": found.dag.n_arcs(),
            "iterations": found.iterations,
            "families_scored": found.families_scored,
            "improving_restarts": found.improving_restarts,
            "rows": data.n_rows(),
            "seconds": seconds,
            "load_seconds": load_seconds,
            "search_seconds": search_seconds,
            "notes": notes,
            "compare": compared.as_ref().map(|(path, dag, cpdag, truth)| json!({
                "network": path.display().to_string(),
                "dag_shd": shd_json(dag),
                "cpdag_shd": shd_json(cpdag),
                "score": truth,
            })),
        }));
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
            let truth = structure::dag_by_names(&net, &load(path)?.0)?;
            Some((path, dag_shd(&dag, &truth)?, cpdag_shd(&dag, &truth)?))
        }
        None => None,
    };
    if ui.json {
        let map: Map<String, Value> = families
            .iter()
            .map(|(name, s)| (name.clone(), json!(s)))
            .collect();
        ui.print_json(&json!({
            "score_name": score.name(),
            "score": total,
            "rows": data.n_rows(),
            "n_arcs": dag.n_arcs(),
            "families": map,
            "compare": compared.as_ref().map(|(path, d, c)| json!({
                "network": path.display().to_string(),
                "dag_shd": shd_json(d),
                "cpdag_shd": shd_json(c),
            })),
        }));
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
