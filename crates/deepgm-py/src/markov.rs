//! `deepgm._native.bn.MarkovNetwork`: a discrete Markov network (factor graph), as a UAI
//! `MARKOV` file holds one. A [`PyMarkov`] wraps a validated [`deepgm_bn::MarkovNetwork`]; its
//! methods convert Python values into the library's inputs, call the entry points the command
//! line calls (`deepgm bn query|mpe NET.uai`) with the GIL released, and return their reports.

use std::path::PathBuf;

use deepgm_bn::{Evidence, MarkovNetwork, Model, MpeParams, Posteriors, QueryParams};
use deepgm_core::progress::NoProgress;
use ndarray::Array1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::bn::{err, method_of, PyNetwork};
use crate::convert::{memory_budget, numpy1, report};

/// A validated discrete Markov network (the wrapper `deepgm.bn.MarkovNetwork` holds one).
#[pyclass(frozen, name = "MarkovNetwork", module = "deepgm._native.bn")]
pub struct PyMarkov {
    net: MarkovNetwork,
}

impl PyMarkov {
    fn evidence(&self, evidence: &[(String, String)]) -> PyResult<Evidence> {
        Evidence::from_names(&self.net, evidence).map_err(err)
    }

    fn posteriors(
        &self,
        py: Python<'_>,
        targets: Option<Vec<String>>,
        evidence: Vec<(String, String)>,
        method: Option<&str>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Posteriors> {
        let evidence = self.evidence(&evidence)?;
        let targets = targets
            .map(|names| {
                names
                    .iter()
                    .map(|n| deepgm_bn::find_variable(&self.net, n, "targets").map_err(err))
                    .collect::<PyResult<Vec<usize>>>()
            })
            .transpose()?;
        let mut params = QueryParams::default();
        if let Some(m) = method {
            params.method = method_of(m)?;
        }
        if let Some(bytes) = memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        py.detach(|| {
            deepgm_bn::query_markov(
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

#[pymethods]
impl PyMarkov {
    /// Reads a UAI file (`MARKOV`, or `BAYES` converted to its factors), or any Bayesian
    /// network file the library reads, converted.
    #[staticmethod]
    fn read(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let model = py.detach(|| deepgm_bn::load_model(&path)).map_err(err)?;
        let net = match model {
            Model::Markov(net) => net,
            Model::Bayesian(net) => MarkovNetwork::from_network(&net),
        };
        Ok(PyMarkov { net })
    }

    /// The factors of a Bayesian network (one per table, over the variable and its parents).
    #[staticmethod]
    fn from_bayesian(network: PyRef<'_, PyNetwork>) -> Self {
        PyMarkov {
            net: MarkovNetwork::from_network(network.network()),
        }
    }

    /// Writes the network as UAI (`MARKOV`; gzipped for `.gz`), atomically.
    fn write(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let model = Model::Markov(self.net.clone());
        py.detach(|| deepgm_bn::save_model(&model, &path))
            .map_err(err)
    }

    /// Whether `other` is the same network (variables, states, scopes and values).
    fn same_as(&self, other: PyRef<'_, PyMarkov>) -> bool {
        self.net == other.net
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
        let v = deepgm_bn::find_variable(&self.net, variable, "variable").map_err(err)?;
        Ok(self.net.variable(v).states.clone())
    }

    /// The factors as `[(scope names, values)]`: `values` a float64 array in C order over the
    /// scope (the last variable changing fastest), one copy of the network's table.
    fn factors<'py>(&self, py: Python<'py>) -> Vec<(Vec<String>, Bound<'py, PyAny>)> {
        self.net
            .potentials()
            .iter()
            .map(|p| {
                let scope = p
                    .scope
                    .iter()
                    .map(|&v| self.net.variable(v).name.clone())
                    .collect();
                (scope, numpy1(py, Array1::from(p.values.clone())))
            })
            .collect()
    }

    /// Evidence read from a UAI `.evid` file, as `[(variable, state)]`.
    fn read_evidence(&self, py: Python<'_>, path: PathBuf) -> PyResult<Vec<(String, String)>> {
        let evidence = py
            .detach(|| deepgm_bn::load_uai_evidence(&path, &self.net))
            .map_err(err)?;
        Ok(evidence
            .pairs()
            .iter()
            .map(|&(v, s)| {
                let var = self.net.variable(v);
                (var.name.clone(), var.states[s].clone())
            })
            .collect())
    }

    /// The exact query's report (`marginals`, `log_evidence` = ln Z(e), `method`, `evidence`,
    /// `detail`).
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

    /// The exact query's marginals only, `{variable: {state: p}}`, variables sorted by name.
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
        crate::bn::marginals_dict(py, &answer.marginals)
    }

    /// `ln Z(e)`: the natural log of the sum over the assignments agreeing with the evidence
    /// of the product of the factors.
    #[pyo3(signature = (evidence, max_memory=None))]
    fn log_partition(
        &self,
        py: Python<'_>,
        evidence: Vec<(String, String)>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<f64> {
        let evidence = self.evidence(&evidence)?;
        let mut params = QueryParams::default();
        if let Some(bytes) = memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        py.detach(|| deepgm_bn::log_partition(&self.net, &evidence, &params))
            .map_err(err)
    }

    /// The MAP assignment's report (`assignment`, `log_value`, `evidence`, `induced_width`,
    /// `peak_bytes`).
    #[pyo3(signature = (evidence, max_memory=None))]
    fn map<'py>(
        &self,
        py: Python<'py>,
        evidence: Vec<(String, String)>,
        max_memory: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let evidence = self.evidence(&evidence)?;
        let mut params = MpeParams::default();
        if let Some(bytes) = memory_budget(max_memory.as_ref())? {
            params.max_memory = bytes;
        }
        let found = py
            .detach(|| deepgm_bn::map_markov(&self.net, &evidence, &params, &NoProgress))
            .map_err(err)?;
        report(py, &found)
    }
}
