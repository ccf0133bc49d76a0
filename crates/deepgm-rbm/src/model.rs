//! The Bernoulli-Bernoulli RBM: `p(v, h) = exp(v'Wh + v'b + h'a) / Z`, v in {0,1}^D, h in {0,1}^P.

use deepgm_core::linalg::matmul;
use deepgm_core::numeric::{sigmoid, softplus, Float};
use deepgm_core::rng::seeded;
use deepgm_core::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};
use rand::Rng;
use rand_distr::{Distribution, Normal};

use crate::binary_products::{sum_selected_rows, OnesByRow};

/// A Bernoulli restricted Boltzmann machine.
///
/// Shapes: `w` is `D x P` (visible by hidden), `b` the visible biases (D), `a` the hidden biases
/// (P); [`BernoulliRbm::new`] checks that they fit together, and the getters [`BernoulliRbm::w`],
/// [`BernoulliRbm::b`], [`BernoulliRbm::a`] read them. Batched methods take one example per row.
#[derive(Debug, Clone, PartialEq)]
pub struct BernoulliRbm<F: Float = f32> {
    /// Weights, `D x P`.
    pub(crate) w: Array2<F>,
    /// Visible biases, length D.
    pub(crate) b: Array1<F>,
    /// Hidden biases, length P.
    pub(crate) a: Array1<F>,
}

impl<F: Float> BernoulliRbm<F> {
    /// A model of weights `w` (D x P), visible biases `b` (D) and hidden biases `a` (P).
    ///
    /// # Errors
    /// [`Error::Shape`] when `b` or `a` does not match `w`; [`Error::InvalidParameter`] naming
    /// `w`, `b` or `a` when an entry is not finite.
    pub fn new(w: Array2<F>, b: Array1<F>, a: Array1<F>) -> Result<Self> {
        let (d, p) = w.dim();
        if b.len() != d {
            return Err(Error::shape("b", b.len(), format!("{d} (the rows of w)")));
        }
        if a.len() != p {
            return Err(Error::shape(
                "a",
                a.len(),
                format!("{p} (the columns of w)"),
            ));
        }
        check_finite_entries("w", w.iter())?;
        check_finite_entries("b", b.iter())?;
        check_finite_entries("a", a.iter())?;
        Ok(BernoulliRbm { w, b, a })
    }

    /// The weights, `D x P`.
    pub fn w(&self) -> &Array2<F> {
        &self.w
    }

    /// The visible biases, length D.
    pub fn b(&self) -> &Array1<F> {
        &self.b
    }

    /// The hidden biases, length P.
    pub fn a(&self) -> &Array1<F> {
        &self.a
    }

    /// A model with all parameters zero.
    pub fn zeros(visible: usize, hidden: usize) -> Self {
        BernoulliRbm {
            w: Array2::zeros((visible, hidden)),
            b: Array1::zeros(visible),
            a: Array1::zeros(hidden),
        }
    }

    /// Initialization as in Hinton's practical guide: weights from N(0, 0.01^2), hidden biases 0,
    /// visible biases `log(p_i / (1 - p_i))` from the training data's mean `p_i` of each visible
    /// unit (clamped to [1e-3, 1 - 1e-3] so that constant pixels stay finite).
    ///
    /// The weights are drawn from the generator of `seed` ([`deepgm_core::rng::seeded`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `data` when it has no rows or columns or an entry that
    /// is not finite, or `hidden` when it is 0; [`Error::Infeasible`] when the model would have
    /// more than [`MAX_WEIGHTS`] weights.
    pub fn init(data: ArrayView2<'_, F>, hidden: usize, seed: u64) -> Result<Self> {
        if data.nrows() == 0 || data.ncols() == 0 {
            return Err(Error::invalid("data", "no training examples"));
        }
        deepgm_core::params::check_positive("hidden", hidden)?;
        check_finite_data(data)?;
        check_size(data.ncols(), hidden)?;
        let mut model = Self::zeros(data.ncols(), hidden);
        let normal = Normal::new(0.0f64, 0.01).expect("valid normal");
        let mut rng = seeded(seed);
        model
            .w
            .mapv_inplace(|_| F::from_f64(normal.sample(&mut rng)).expect("finite"));
        model.b = base_rate_biases(data);
        Ok(model)
    }

    /// Number of visible units D.
    pub fn visible(&self) -> usize {
        self.w.nrows()
    }

    /// Number of hidden units P.
    pub fn hidden(&self) -> usize {
        self.w.ncols()
    }

    /// `p(h_j = 1 | v) = sigmoid((v W + a)_j)` for each row of `v` (N x D) -> N x P. This is seed
    /// problem 3's factorization: given v, the hidden units are independent.
    pub fn hidden_probs(&self, v: ArrayView2<'_, F>) -> Array2<F> {
        let mut x = matmul(v, self.w.view());
        add_bias_sigmoid(&mut x, &self.a);
        x
    }

    /// `p(v_i = 1 | h) = sigmoid((W h + b)_i)` for each row of `h` (N x P) -> N x D (by symmetry
    /// with [`BernoulliRbm::hidden_probs`]).
    pub fn visible_probs(&self, h: ArrayView2<'_, F>) -> Array2<F> {
        let mut x = matmul(h, self.w.t());
        add_bias_sigmoid(&mut x, &self.b);
        x
    }

    /// Free energy `F(v) = -v'b - sum_j softplus((W'v + a)_j)` of each row of `v`, summed in f64.
    /// `p(v) = exp(-F(v)) / Z`.
    pub fn free_energy(&self, v: ArrayView2<'_, F>) -> Array1<f64> {
        let x = v.dot(&self.w);
        let vb = v.dot(&self.b);
        Zip::from(x.rows()).and(&vb).map_collect(|row, &vb| {
            let hidden: f64 = row
                .iter()
                .zip(&self.a)
                .map(|(&x, &a)| softplus(x + a).to_f64().expect("finite"))
                .sum();
            -vb.to_f64().expect("finite") - hidden
        })
    }

    /// Energy `E(v, h) = -v'Wh - v'b - h'a` of one configuration, in f64.
    pub fn energy(&self, v: ArrayView1<'_, F>, h: ArrayView1<'_, F>) -> f64 {
        let f = |x: F| x.to_f64().expect("finite");
        let vwh = f(v.dot(&self.w.dot(&h)));
        -vwh - f(v.dot(&self.b)) - f(h.dot(&self.a))
    }

    /// Checks that `v` has D columns and finite entries (binary states, or probabilities of the
    /// units being on; other finite values are accepted, as scikit-learn's `BernoulliRBM` does).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `data` otherwise (a NaN or infinite entry shows as
    /// `NaN` or `inf`).
    pub fn check_visible(&self, v: ArrayView2<'_, F>) -> Result<()> {
        if v.ncols() != self.visible() {
            return Err(Error::invalid(
                "data",
                format!(
                    "{} values per example, but the model has {} visible units",
                    v.ncols(),
                    self.visible()
                ),
            ));
        }
        check_finite_data(v)
    }

    /// The same model in another float type.
    pub fn cast<G: Float>(&self) -> BernoulliRbm<G> {
        let c = |x: &F| G::from_f64(x.to_f64().expect("finite")).expect("finite");
        BernoulliRbm {
            w: self.w.map(c),
            b: self.b.map(c),
            a: self.a.map(c),
        }
    }
}

/// Most weights (D x P) [`BernoulliRbm::init`] makes a model of: 2^31, 8 GiB in f32 (training
/// holds about three times as much).
pub const MAX_WEIGHTS: usize = 1 << 31;

/// `Ok` when a model of `visible` x `hidden` weights is within [`MAX_WEIGHTS`].
fn check_size(visible: usize, hidden: usize) -> Result<()> {
    let needed = visible as f64 * hidden as f64;
    if needed > MAX_WEIGHTS as f64 {
        return Err(Error::Infeasible {
            what: format!("an RBM of {visible} x {hidden} weights"),
            needed,
            budget: MAX_WEIGHTS as f64,
            unit: "weights".into(),
            parameter: None,
            advice: "use fewer hidden units".into(),
        });
    }
    Ok(())
}

/// `Ok` when every entry of `data` is finite, else an invalid-parameter error naming `data` and
/// the first entry that is not (`NaN`, `inf` or `-inf`).
pub(crate) fn check_finite_data<F: Float>(data: ArrayView2<'_, F>) -> Result<()> {
    match data.iter().find(|x| !x.is_finite()) {
        Some(x) => Err(Error::param("data", x, "finite values")),
        None => Ok(()),
    }
}

/// `Ok` when every entry of `values` is finite, else an invalid-parameter error naming `name`.
fn check_finite_entries<'a, F: Float>(
    name: &str,
    values: impl Iterator<Item = &'a F>,
) -> Result<()> {
    for x in values {
        if !x.is_finite() {
            return Err(Error::param(name, x, "finite entries"));
        }
    }
    Ok(())
}

/// Visible biases `log(p / (1 - p))` of the data's mean activation per column, with `p` clamped to
/// [1e-3, 1 - 1e-3]: the base-rate model of Salakhutdinov and Murray (2008).
pub fn base_rate_biases<F: Float>(data: ArrayView2<'_, F>) -> Array1<F> {
    let n = F::from_usize(data.nrows().max(1)).expect("count");
    let lo = F::from_f64(1e-3).expect("constant");
    let hi = F::one() - lo;
    data.sum_axis(Axis(0)).mapv(|s| {
        let p = (s / n).max(lo).min(hi);
        (p / (F::one() - p)).ln()
    })
}

/// `x <- sigmoid(x + bias)` row by row, rows in parallel.
fn add_bias_sigmoid<F: Float>(x: &mut Array2<F>, bias: &Array1<F>) {
    let bias = bias.as_slice().expect("contiguous bias");
    Zip::from(x.rows_mut()).par_for_each(|mut row| match row.as_slice_mut() {
        Some(row) => F::bias_sigmoid(row, bias),
        None => Zip::from(&mut row)
            .and(bias)
            .for_each(|x, &c| *x = sigmoid(*x + c)),
    });
}

/// Draws Bernoulli samples in parallel: row r uses the generator stream `(seed, r)`, so the
/// result depends on the seed only, not on the number of threads.
pub(crate) fn sample_bernoulli_seeded<F: Float>(probs: &Array2<F>, seed: u64) -> Array2<F> {
    let mut out = Array2::zeros(probs.raw_dim());
    Zip::indexed(out.rows_mut())
        .and(probs.rows())
        .par_for_each(|r, mut out, p| {
            let mut rng = deepgm_core::rng::stream(seed, r as u64);
            // Branch-free: random bits make the comparison unpredictable.
            Zip::from(&mut out).and(&p).for_each(|o, &p| {
                let on = F::from_f32(rng.random::<f32>()).expect("unit") < p;
                *o = F::from_u8(u8::from(on)).expect("0 or 1");
            });
        });
    out
}

/// [`sample_bernoulli_seeded`] (the same draws) that also records the ones of each row in
/// `ones`, saving a pass over the samples.
pub(crate) fn sample_bernoulli_ones(
    probs: &Array2<f32>,
    seed: u64,
    ones: &mut OnesByRow,
) -> Array2<f32> {
    use rayon::prelude::*;
    let (rows, columns) = probs.dim();
    let mut out = Array2::zeros((rows, columns));
    let probs = probs.as_standard_layout();
    let probs = probs.as_slice().expect("standard layout");
    let width = columns.max(1);
    out.as_slice_mut()
        .expect("fresh array")
        .par_chunks_mut(width)
        .zip(probs.par_chunks(width))
        .zip(ones.rows_mut(rows, columns))
        .enumerate()
        .for_each(|(r, ((out, p), (slots, count)))| {
            let mut rng = deepgm_core::rng::stream(seed, r as u64);
            let mut n = 0;
            for (k, (o, &p)) in out.iter_mut().zip(p).enumerate() {
                let on = rng.random::<f32>() < p;
                *o = f32::from(u8::from(on));
                slots[n] = k as u32;
                n += usize::from(on);
            }
            *count = n as u32;
        });
    out
}

/// Draws Bernoulli samples: each entry is 1 with the probability given.
pub(crate) fn sample_bernoulli<F: Float, R: Rng + ?Sized>(
    probs: &Array2<F>,
    rng: &mut R,
) -> Array2<F> {
    probs.mapv(|p| {
        if F::from_f32(rng.random::<f32>()).expect("unit") < p {
            F::one()
        } else {
            F::zero()
        }
    })
}

impl BernoulliRbm<f32> {
    /// [`BernoulliRbm::hidden_probs`] of binary visible states given by their ones (N rows
    /// over the D visible units): sums the selected rows of `W` instead of multiplying zeros.
    ///
    /// # Panics
    /// When `ones` does not have D columns.
    pub fn hidden_probs_of_ones(&self, ones: &OnesByRow) -> Array2<f32> {
        let mut x = Array2::zeros((ones.rows(), self.hidden()));
        sum_selected_rows(ones, self.w.view(), 1.0, 0.0, x.view_mut());
        add_bias_sigmoid(&mut x, &self.a);
        x
    }
}
