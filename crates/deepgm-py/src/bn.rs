//! `deepgm._native.bn`: discrete Bayesian networks. A [`PyNetwork`] wraps a validated
//! [`deepgm_bn::Network`]; every function converts Python values into the library's inputs and
//! params (keywords left `None` keep the library defaults), calls the entry point the
//! command line calls with the GIL released, and returns its report as a dict.

use std::path::PathBuf;

use deepgm_bn::{
    CompileParams, CompiledNetwork, Evidence, FamilyScorer, GibbsParams, HillClimbParams,
    LearnParams, LikelihoodWeightingParams, Marginal, Method, MpeParams, Network, Posteriors,
    Prior, QueryParams, SampleParams, StructureScore,
};
use deepgm_core::progress::NoProgress;
use ndarray::Array1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::{numpy1, report};
use crate::errors::{to_py_renamed, value_error};

/// Columns of state names as Python hands them over: `(name, values)` pairs (copied into
/// Rust strings: Python `str` objects cannot be borrowed across the released GIL).
type Columns = Vec<(String, Vec<String>)>;

/// Library parameter names as the Python API spells them.
const NAMES: &[(&str, &str)] = &[
    ("targets", "variables"),
    ("samples", "n_samples"),
    ("ess", "equivalent_sample_size"),
];

pub(crate) fn err(e: deepgm_core::Error) -> PyErr {
    to_py_renamed(e, NAMES)
}

/// A Python integer as a count: negative values cannot be converted (`name` is the keyword).
fn count(value: i64, name: &str) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| {
        value_error(format!(
            "invalid {name} {value}: expected a non-negative integer"
        ))
    })
}

/// The exact method by its Python name.
pub(crate) fn method_of(name: &str) -> PyResult<Method> {
    Ok(match name {
        "auto" => Method::Auto,
        "jt" => Method::JunctionTree,
        "ve" => Method::VariableElimination,
        other => {
            return Err(value_error(format!(
                "invalid method {other:?}: expected \"auto\", \"jt\" or \"ve\""
            )))
        }
    })
}

/// The structure score by its Python name (pgmpy's names, lower case).
fn score_of(name: &str, ess: f64) -> PyResult<StructureScore> {
    Ok(match name {
        "bic" => StructureScore::Bic,
        "aic" => StructureScore::Aic,
        "k2" => StructureScore::K2,
        "bdeu" => StructureScore::BDeu { ess },
        "ll" => StructureScore::LogLikelihood,
        other => {
            return Err(value_error(format!(
                "invalid score {other:?}: expected \"bic\", \"aic\", \"k2\", \"bdeu\" or \"ll\""
            )))
        }
    })
}

/// The parameter prior by its Python name.
fn prior_of(name: &str, ess: f64) -> PyResult<LearnParams> {
    let prior = match name {
        "mle" => Prior::MaximumLikelihood,
        "bdeu" => Prior::BDeu { ess },
        other => {
            return Err(value_error(format!(
                "invalid prior {other:?}: expected \"mle\" or \"bdeu\""
            )))
        }
    };
    Ok(LearnParams { prior })
}

/// A validated discrete Bayesian network (the wrapper `deepgm.bn.BayesianNetwork` holds one).
#[pyclass(frozen, name = "Network", module = "deepgm._native.bn")]
pub struct PyNetwork {
    net: Network,
}

impl PyNetwork {
    /// The network it holds.
    pub(crate) fn network(&self) -> &Network {
        &self.net
    }

    fn var(&self, name: &str) -> PyResult<usize> {
        deepgm_bn::find_variable(&self.net, name, "variable").map_err(err)
    }

    fn evidence(&self, evidence: &[(String, String)]) -> PyResult<Evidence> {
        Evidence::from_names(&self.net, evidence).map_err(err)
    }

    fn targets(&self, targets: Option<Vec<String>>) -> PyResult<Option<Vec<usize>>> {
        targets
            .map(|names| {
                names
                    .iter()
                    .map(|n| deepgm_bn::find_variable(&self.net, n, "targets").map_err(err))
                    .collect()
            })
            .transpose()
    }
}

#[pymethods]
impl PyNetwork {
    /// Reads BIF, XMLBIF or UAI `BAYES` (gzipped or not) or `builtin:NAME`.
    #[staticmethod]
    fn read(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let net = py.detach(|| deepgm_bn::load(&path)).map_err(err)?;
        Ok(PyNetwork { net })
    }

    /// Writes the network in the format its extension names (atomically).
    fn write(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| deepgm_bn::save(&self.net, &path)).map_err(err)
    }

    /// Whether `other` is the same network (names, states, arcs and tables).
    fn same_as(&self, other: PyRef<'_, PyNetwork>) -> bool {
        self.net == other.net
    }

    /// The BIF text of the network.
    fn to_bif(&self) -> String {
        deepgm_bn::write_bif(&self.net)
    }

    /// The network's name.
    #[getter]
    fn name(&self) -> String {
        self.net.name().to_string()
    }

    /// Variable names in file order.
    fn variables(&self) -> Vec<String> {
        self.net
            .variables()
            .iter()
            .map(|v| v.name.clone())
            .collect()
    }

    /// State names of `variable`.
    fn states(&self, variable: &str) -> PyResult<Vec<String>> {
        Ok(self.net.variable(self.var(variable)?).states.clone())
    }

    /// Parent names of `variable` in the table's order.
    fn parents(&self, variable: &str) -> PyResult<Vec<String>> {
        let v = self.var(variable)?;
        Ok(self
            .net
            .parents(v)
            .iter()
            .map(|&p| self.net.variable(p).name.clone())
            .collect())
    }

    /// Arcs `(parent, child)`, child by child in variable order.
    fn edges(&self) -> Vec<(String, String)> {
        let name = |v: usize| self.net.variable(v).name.clone();
        (0..self.net.n_variables())
            .flat_map(|c| self.net.parents(c).iter().map(move |&p| (name(p), name(c))))
            .collect()
    }

    /// The number of free parameters.
    fn n_parameters(&self) -> usize {
        self.net.n_parameters()
    }

    /// `(values, parent_cards, child_card)`: the table of `variable` as the library stores it,
    /// row-major with shape `parent_cards + [child_card]` (first parent slowest).
    fn cpt<'py>(
        &self,
        py: Python<'py>,
        variable: &str,
    ) -> PyResult<(Bound<'py, PyAny>, Vec<usize>, usize)> {
        let cpt = self.net.cpt(self.var(variable)?);
        // One copy: the network keeps its tables; NumPy gets its own buffer.
        let values = numpy1(py, Array1::from(cpt.values.clone()));
        Ok((values, cpt.parent_cards.clone(), cpt.child_card))
    }

    /// The exact query's report (`marginals`, `log_evidence`, `method`, `evidence`, `detail`).
    #[pyo3(signature = (targets, evidence, method=None, max_memory=None))]
    fn query<'py>(
        &self,
        py: Python<'py>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
        method: Option<&str>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let answer = self.posteriors(py, targets, evidence, method, max_memory)?;
        report(py, &answer)
    }

    /// The exact query's marginals only, `{variable: {state: p}}` with the variables sorted by
    /// name (the report's `marginals`), built directly rather than through the report.
    #[pyo3(signature = (targets, evidence, method=None, max_memory=None))]
    fn marginals<'py>(
        &self,
        py: Python<'py>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
        method: Option<&str>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let answer = self.posteriors(py, targets, evidence, method, max_memory)?;
        marginals_dict(py, &answer.marginals)
    }

    /// The network compiled once for many queries (`max_memory`: bytes or a size text, `None`
    /// for the library's default).
    #[pyo3(signature = (max_memory=None))]
    fn compile(
        &self,
        py: Python<'_>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyCompiled> {
        let mut params = CompileParams::default();
        if let Some(bytes) = crate::convert::memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        let engine = py
            .detach(|| CompiledNetwork::new(&self.net, &params))
            .map_err(err)?;
        Ok(PyCompiled::new(py, engine))
    }

    /// Natural log of the probability of the evidence.
    #[pyo3(signature = (evidence, max_memory=None))]
    fn log_evidence(
        &self,
        py: Python<'_>,
        evidence: Vec<(String, String)>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<f64> {
        let evidence = self.evidence(&evidence)?;
        let mut params = QueryParams::default();
        if let Some(bytes) = crate::convert::memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        py.detach(|| deepgm_bn::log_evidence(&self.net, &evidence, &params))
            .map_err(err)
    }

    /// The most probable explanation's report (`assignment`, `log_prob`, `evidence`,
    /// `induced_width`).
    #[pyo3(signature = (evidence, max_memory=None))]
    fn mpe<'py>(
        &self,
        py: Python<'py>,
        evidence: Vec<(String, String)>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let evidence = self.evidence(&evidence)?;
        let mut params = MpeParams::default();
        if let Some(bytes) = crate::convert::memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        let found = py
            .detach(|| deepgm_bn::mpe(&self.net, &evidence, &params, &NoProgress))
            .map_err(err)?;
        report(py, &found)
    }

    /// Forward samples as `[(name, codes, states)]`, one column per variable: `codes` a uint16
    /// array of state indices into `states`.
    #[pyo3(signature = (n=None, seed=None))]
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        n: Option<i64>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut params = SampleParams::default();
        if let Some(n) = n {
            params.samples = count(n, "n_samples")?;
        }
        if let Some(s) = seed {
            params.seed = s;
        }
        let columns = py
            .detach(|| {
                let data = deepgm_bn::forward_sample(&self.net, &params, &NoProgress)?;
                // One copy: the dataset is row-major, the DataFrame wants columns.
                let c = data.n_columns();
                let columns: Vec<(usize, Vec<u16>)> = data
                    .vars()
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        (
                            v,
                            data.values().iter().skip(j).step_by(c).copied().collect(),
                        )
                    })
                    .collect();
                Ok::<_, deepgm_core::Error>(columns)
            })
            .map_err(err)?;
        let out = PyList::empty(py);
        for (v, codes) in columns {
            let variable = self.net.variable(v);
            out.append((
                variable.name.clone(),
                numpy1(py, Array1::from(codes)),
                variable.states.clone(),
            ))?;
        }
        Ok(out)
    }

    /// A network with this structure and tables estimated from `data` (columns of state names).
    #[pyo3(signature = (data, prior, equivalent_sample_size))]
    fn fit(
        &self,
        py: Python<'_>,
        data: Columns,
        prior: &str,
        equivalent_sample_size: f64,
    ) -> PyResult<PyNetwork> {
        let params = prior_of(prior, equivalent_sample_size)?;
        let net = py
            .detach(|| {
                let dataset = deepgm_bn::dataset_from_columns(&self.net, &data)?;
                deepgm_bn::learn_parameters(&self.net, &dataset, &params, &NoProgress)
            })
            .map_err(err)?;
        Ok(PyNetwork { net })
    }

    /// The likelihood-weighting estimate's report.
    #[pyo3(signature = (targets, evidence, n_samples=None, seed=None))]
    fn likelihood_weighting<'py>(
        &self,
        py: Python<'py>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
        n_samples: Option<i64>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let evidence = self.evidence(&evidence)?;
        let targets = self.targets(targets)?;
        let mut params = LikelihoodWeightingParams::default();
        if let Some(n) = n_samples {
            params.samples = count(n, "n_samples")?;
        }
        if let Some(s) = seed {
            params.seed = s;
        }
        let estimate = py
            .detach(|| {
                deepgm_bn::likelihood_weighting(
                    &self.net,
                    &evidence,
                    targets.as_deref(),
                    &params,
                    &NoProgress,
                )
            })
            .map_err(err)?;
        report(py, &estimate)
    }

    /// The Gibbs-sampling estimate's report.
    #[pyo3(signature = (targets, evidence, n_samples=None, burn_in=None, seed=None))]
    fn gibbs<'py>(
        &self,
        py: Python<'py>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
        n_samples: Option<i64>,
        burn_in: Option<i64>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let evidence = self.evidence(&evidence)?;
        let targets = self.targets(targets)?;
        let mut params = GibbsParams::default();
        if let Some(n) = n_samples {
            params.samples = count(n, "n_samples")?;
        }
        if let Some(b) = burn_in {
            params.burn_in = count(b, "burn_in")?;
        }
        if let Some(s) = seed {
            params.seed = s;
        }
        let estimate = py
            .detach(|| {
                deepgm_bn::gibbs(
                    &self.net,
                    &evidence,
                    targets.as_deref(),
                    &params,
                    &NoProgress,
                )
            })
            .map_err(err)?;
        report(py, &estimate)
    }
}

/// Structure learning from columns of state names: `(network, report)` where the report is the
/// search's (`score`, `iterations`, `families_scored`, `improving_restarts`) with `arcs`,
/// `score_name` and `notes`.
#[pyfunction]
#[pyo3(signature = (data, score, equivalent_sample_size, prior, max_indegree=None,
    tabu_length=None, restarts=None, perturb=None, patience=None, tolerance=None, seed=None,
    keep_constant=false))]
#[allow(clippy::too_many_arguments)]
fn learn<'py>(
    py: Python<'py>,
    data: Columns,
    score: &str,
    equivalent_sample_size: f64,
    prior: &str,
    max_indegree: Option<i64>,
    tabu_length: Option<i64>,
    restarts: Option<i64>,
    perturb: Option<i64>,
    patience: Option<i64>,
    tolerance: Option<f64>,
    seed: Option<u64>,
    keep_constant: bool,
) -> PyResult<(PyNetwork, Bound<'py, PyAny>)> {
    let score = score_of(score, equivalent_sample_size)?;
    let learn_params = prior_of(prior, equivalent_sample_size)?;
    let mut params = HillClimbParams::default();
    if let Some(m) = max_indegree {
        params.max_indegree = Some(count(m, "max_indegree")?);
    }
    if let Some(t) = tabu_length {
        params.tabu_length = count(t, "tabu_length")?;
    }
    if let Some(r) = restarts {
        params.restarts = count(r, "restarts")?;
    }
    if let Some(p) = perturb {
        params.perturb = count(p, "perturb")?;
    }
    if let Some(p) = patience {
        params.patience = count(p, "patience")?;
    }
    if let Some(t) = tolerance {
        params.tolerance = t;
    }
    if let Some(s) = seed {
        params.seed = s;
    }
    let (net, found, arcs, notes) = py
        .detach(|| {
            let (net, dataset, notes) = deepgm_bn::data_from_columns(&data, keep_constant)?;
            let scorer = FamilyScorer::new(&net, &dataset, score)?;
            let found = deepgm_bn::hill_climb(&scorer, &params, &NoProgress)?;
            let learned = deepgm_bn::fit(&net, &found.dag, &dataset, &learn_params, &NoProgress)?;
            let name = |v: usize| net.variable(v).name.clone();
            let arcs: Vec<(String, String)> = found
                .dag
                .arcs()
                .into_iter()
                .map(|(a, b)| (name(a), name(b)))
                .collect();
            Ok::<_, deepgm_core::Error>((learned, found, arcs, notes))
        })
        .map_err(err)?;
    let out = report(py, &found)?;
    out.set_item("score_name", score.name())?;
    out.set_item("arcs", arcs)?;
    out.set_item("notes", notes)?;
    Ok((PyNetwork { net }, out))
}

/// The decomposable score of `net`'s graph on `data` (columns of state names).
#[pyfunction]
#[pyo3(signature = (net, data, score, equivalent_sample_size))]
fn structure_score(
    py: Python<'_>,
    net: &PyNetwork,
    data: Columns,
    score: &str,
    equivalent_sample_size: f64,
) -> PyResult<f64> {
    let score = score_of(score, equivalent_sample_size)?;
    let net = &net.net;
    py.detach(|| {
        let dataset = deepgm_bn::dataset_from_columns(net, &data)?;
        let scorer = FamilyScorer::new(net, &dataset, score)?;
        Ok(scorer.dag_score(&deepgm_bn::Dag::of_network(net)))
    })
    .map_err(err)
}

/// A network compiled for many queries (the wrapper `deepgm.bn.CompiledNetwork` holds one):
/// the library's [`CompiledNetwork`], with the names of the variables and states made into
/// Python strings once, so that each answer's dict reuses them.
#[pyclass(name = "CompiledNetwork", module = "deepgm._native.bn")]
pub struct PyCompiled {
    engine: CompiledNetwork,
    /// Each variable's name.
    names: Vec<Py<PyString>>,
    /// Each variable's state names.
    states: Vec<Vec<Py<PyString>>>,
    /// Each variable's rank in name order (answers list the variables sorted by name).
    rank: Vec<usize>,
    /// `{variable: None}` for every variable in name order, and `{state: None}` for each
    /// variable's states: an answer copies them and fills the values in, which is faster
    /// than inserting every key anew.
    all_variables: Py<PyDict>,
    state_templates: Vec<Py<PyDict>>,
}

impl PyCompiled {
    fn new(py: Python<'_>, engine: CompiledNetwork) -> Self {
        let net = engine.network();
        let names: Vec<Py<PyString>> = net
            .variables()
            .iter()
            .map(|v| PyString::new(py, &v.name).unbind())
            .collect();
        let states: Vec<Vec<Py<PyString>>> = net
            .variables()
            .iter()
            .map(|v| {
                v.states
                    .iter()
                    .map(|s| PyString::new(py, s).unbind())
                    .collect()
            })
            .collect();
        let mut order: Vec<usize> = (0..net.n_variables()).collect();
        order.sort_by(|&a, &b| net.variable(a).name.cmp(&net.variable(b).name));
        let mut rank = vec![0; order.len()];
        for (r, &v) in order.iter().enumerate() {
            rank[v] = r;
        }
        let all_variables = PyDict::new(py);
        for &v in &order {
            all_variables
                .set_item(&names[v], py.None())
                .expect("str keys hash");
        }
        let state_templates = states
            .iter()
            .map(|s| {
                let template = PyDict::new(py);
                for state in s {
                    template.set_item(state, py.None()).expect("str keys hash");
                }
                template.unbind()
            })
            .collect();
        PyCompiled {
            engine,
            names,
            states,
            rank,
            all_variables: all_variables.unbind(),
            state_templates,
        }
    }

    fn inputs(
        &self,
        targets: Option<Vec<String>>,
        evidence: &[(String, String)],
    ) -> PyResult<(Evidence, Option<Vec<usize>>)> {
        let net = self.engine.network();
        let evidence = Evidence::from_names(net, evidence).map_err(err)?;
        let targets = targets
            .map(|names| {
                names
                    .iter()
                    .map(|n| deepgm_bn::find_variable(net, n, "targets").map_err(err))
                    .collect()
            })
            .transpose()?;
        Ok((evidence, targets))
    }
}

#[pymethods]
impl PyCompiled {
    /// The marginals `{variable: {state: p}}`, variables sorted by name (as
    /// `Network.marginals`).
    #[pyo3(signature = (targets, evidence))]
    fn marginals<'py>(
        &mut self,
        py: Python<'py>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let every_unobserved = targets.is_none();
        let (evidence, targets) = self.inputs(targets, &evidence)?;
        let engine = &mut self.engine;
        let mut answer = py
            .detach(|| engine.query_values(&evidence, targets.as_deref()))
            .map_err(err)?;
        let out = if every_unobserved {
            // Every variable but the observed ones: the template without them, in name order.
            let out = self.all_variables.bind(py).copy()?;
            for &(v, _) in evidence.pairs() {
                out.del_item(self.names[v].bind(py))?;
            }
            out
        } else {
            answer.marginals.sort_by_key(|(v, _)| self.rank[*v]);
            PyDict::new(py)
        };
        for (v, probabilities) in &answer.marginals {
            let states = self.state_templates[*v].bind(py).copy()?;
            for (state, p) in self.states[*v].iter().zip(probabilities) {
                states.set_item(state.bind(py), p)?;
            }
            out.set_item(self.names[*v].bind(py), states)?;
        }
        Ok(out)
    }

    /// The whole report (`marginals`, `log_evidence`, `method`, `evidence`, `detail`), as
    /// `deepgm bn query --json` prints it.
    #[pyo3(signature = (targets, evidence))]
    fn query<'py>(
        &mut self,
        py: Python<'py>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (evidence, targets) = self.inputs(targets, &evidence)?;
        let engine = &mut self.engine;
        let answer = py
            .detach(|| engine.query(&evidence, targets.as_deref()))
            .map_err(err)?;
        report(py, &answer)
    }

    /// The compiled tree's sizes (`pruned_variables`, `table_entries`,
    /// `largest_table_entries`, `peak_bytes`, `induced_width`) and its number of cliques.
    fn detail<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let detail = report(py, &self.engine.cost())?;
        detail.set_item("cliques", self.engine.n_cliques())?;
        Ok(detail)
    }
}

/// Adds `Network`, `MarkovNetwork`, `CompiledNetwork`, `learn` and `structure_score`.
/// `{variable: {state: p}}` with the variables sorted by name (a report's `marginals`), built
/// directly rather than through the report.
pub(crate) fn marginals_dict<'py>(
    py: Python<'py>,
    marginals: &[Marginal],
) -> PyResult<Bound<'py, PyDict>> {
    let mut sorted: Vec<&Marginal> = marginals.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let out = PyDict::new(py);
    for marginal in sorted {
        let states = PyDict::new(py);
        for (state, p) in marginal.states.iter().zip(&marginal.probabilities) {
            states.set_item(state, p)?;
        }
        out.set_item(&marginal.name, states)?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNetwork>()?;
    m.add_class::<crate::markov::PyMarkov>()?;
    m.add_class::<PyCompiled>()?;
    m.add_function(wrap_pyfunction!(learn, m)?)?;
    m.add_function(wrap_pyfunction!(structure_score, m)?)?;
    Ok(())
}

impl PyNetwork {
    /// Runs an exact query with the GIL released.
    fn posteriors(
        &self,
        py: Python<'_>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
        method: Option<&str>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Posteriors> {
        let evidence = self.evidence(&evidence)?;
        let targets = self.targets(targets)?;
        let mut params = QueryParams::default();
        if let Some(m) = method {
            params.method = method_of(m)?;
        }
        if let Some(bytes) = crate::convert::memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        py.detach(|| {
            deepgm_bn::query(
                &self.net,
                &evidence,
                targets.as_deref(),
                &params,
                &NoProgress,
            )
        })
        .map_err(err)
    }
}
