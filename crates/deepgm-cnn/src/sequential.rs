//! A `Sequential` network of the layers, with forward and backward passes over whole batches,
//! PyTorch's parameter names, and data-parallel gradients.

use deepgm_core::{Error, Result};
use ndarray::{Array4, ArrayD, ArrayView2, ArrayView4, ArrayViewD, ArrayViewMutD, Axis, Ix2, Ix4};
use rand::Rng;
use rayon::prelude::*;

use crate::activation::Activation;
use crate::conv::Conv2d;
use crate::linear::Linear;
use crate::loss::cross_entropy;
use crate::pool::{flatten, MaxPool2d};
use deepgm_core::numeric::Float;

/// One layer of a [`Sequential`] network.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer<F> {
    /// Convolution, `(N, C, H, W)` to `(N, C', H', W')`.
    Conv2d(Conv2d<F>),
    /// Max pooling, `(N, C, H, W)` to `(N, C, H', W')`.
    MaxPool2d(MaxPool2d),
    /// `(N, C, H, W)` to `(N, C*H*W)`, channel-major.
    Flatten,
    /// Fully connected, `(N, in)` to `(N, out)`.
    Linear(Linear<F>),
    /// Element-wise nonlinearity, any shape.
    Activation(Activation),
}

impl<F: Float> Layer<F> {
    /// A short lowercase name (`conv2d`, `maxpool2d`, `flatten`, `linear`, `relu`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::Conv2d(_) => "conv2d",
            Layer::MaxPool2d(_) => "maxpool2d",
            Layer::Flatten => "flatten",
            Layer::Linear(_) => "linear",
            Layer::Activation(Activation::Relu) => "relu",
            Layer::Activation(Activation::Tanh) => "tanh",
            Layer::Activation(Activation::Sigmoid) => "sigmoid",
        }
    }

    /// The shape of this layer's output for one example of shape `input` (without the batch
    /// axis: `[C, H, W]` or `[features]`).
    ///
    /// # Errors
    /// [`Error::Shape`] saying which number does not fit and what it should be;
    /// [`Error::InvalidParameter`] for a zero stride, kernel or window.
    pub fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let image = |what: &str| -> Result<(usize, usize, usize)> {
            match *input {
                [c, h, w] => Ok((c, h, w)),
                _ => Err(Error::shape(
                    format!("{what} input"),
                    input,
                    "C x H x W (an image)",
                )),
            }
        };
        match self {
            Layer::Conv2d(conv) => {
                let (c, h, w) = image("conv2d")?;
                if c != conv.in_channels() {
                    return Err(Error::Shape {
                        what: "conv2d input".into(),
                        got: format!("{c} channels"),
                        expected: format!("{} channels, as its weight", conv.in_channels()),
                    });
                }
                let (ho, wo) = conv.output_size(h, w)?;
                Ok(vec![conv.out_channels(), ho, wo])
            }
            Layer::MaxPool2d(pool) => {
                let (c, h, w) = image("maxpool2d")?;
                let (ho, wo) = pool.output_size(h, w)?;
                Ok(vec![c, ho, wo])
            }
            Layer::Flatten => {
                let (c, h, w) = image("flatten")?;
                Ok(vec![c * h * w])
            }
            Layer::Linear(lin) => match *input {
                [f] if f == lin.in_features() => Ok(vec![lin.out_features()]),
                [f] => Err(Error::Shape {
                    what: "linear input".into(),
                    got: format!("{f} features"),
                    expected: format!(
                        "{} features, the width of each row of its weight",
                        lin.in_features()
                    ),
                }),
                _ => Err(Error::shape(
                    "linear input",
                    input,
                    "flat features (add a flatten)",
                )),
            },
            Layer::Activation(_) => Ok(input.to_vec()),
        }
    }

    fn params(&self) -> Vec<ArrayViewD<'_, F>> {
        match self {
            Layer::Conv2d(c) => {
                let mut v = vec![c.weight.view().into_dyn()];
                v.extend(c.bias.iter().map(|b| b.view().into_dyn()));
                v
            }
            Layer::Linear(l) => vec![l.weight.view().into_dyn(), l.bias.view().into_dyn()],
            _ => Vec::new(),
        }
    }

    fn params_mut(&mut self) -> Vec<ArrayViewMutD<'_, F>> {
        match self {
            Layer::Conv2d(c) => {
                let mut v = vec![c.weight.view_mut().into_dyn()];
                v.extend(c.bias.iter_mut().map(|b| b.view_mut().into_dyn()));
                v
            }
            Layer::Linear(l) => vec![l.weight.view_mut().into_dyn(), l.bias.view_mut().into_dyn()],
            _ => Vec::new(),
        }
    }
}

/// A feed-forward network: layers applied in order to a batch of `(N, C, H, W)` images, ending
/// in class scores (logits) of shape `(N, classes)`. Built by [`Sequential::new`] (or
/// [`crate::Arch::build`]), which checks that every layer fits the one before; the parameters
/// change through [`Sequential::params_mut`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sequential<F> {
    /// The layers, first to last.
    pub(crate) layers: Vec<Layer<F>>,
    /// One example's shape `[C, H, W]`.
    pub(crate) input_shape: [usize; 3],
}

/// Everything a forward pass keeps for the backward pass.
#[derive(Debug, Clone)]
pub struct Trace<F> {
    /// `activations[0]` is the input; `activations[i + 1]` is layer `i`'s output.
    pub activations: Vec<ArrayD<F>>,
    /// What each layer saved for its backward pass.
    pub saved: Vec<Saved<F>>,
}

impl<F: Float> Trace<F> {
    /// The network's output, `(N, classes)` scores.
    ///
    /// # Panics
    /// When the network does not end in flat scores (checked by [`Sequential::new`]).
    pub fn logits(&self) -> ArrayView2<'_, F> {
        self.activations
            .last()
            .expect("the input is always kept")
            .view()
            .into_dimensionality::<Ix2>()
            .expect("flat output")
    }
}

/// What a layer's forward pass keeps for its backward pass.
#[derive(Debug, Clone)]
pub enum Saved<F> {
    /// Nothing beyond the layer's input and output.
    Nothing,
    /// A pooling layer's arg-max indices.
    Argmax(Vec<u32>),
    /// A convolution's im2col matrix of the batch.
    Columns(ndarray::Array2<F>),
}

/// Gradients from a backward pass.
#[derive(Debug, Clone)]
pub struct Gradients<F> {
    /// dL/d(input), when asked for.
    pub input: Option<ArrayD<F>>,
    /// `outputs[i]` = dL/d(output of layer i).
    pub outputs: Vec<ArrayD<F>>,
    /// dL/d(parameter), in [`Sequential::param_names`] order.
    pub params: Vec<ArrayD<F>>,
}

/// Loss, accuracy count and parameter gradients of a batch, summed over its examples.
#[derive(Debug, Clone)]
pub struct BatchGradients<F> {
    /// `sum_i -log p_i[y_i]`.
    pub loss_sum: f64,
    /// Examples whose largest score is at the label.
    pub correct: usize,
    /// d(loss_sum)/d(parameter), in [`Sequential::param_names`] order.
    pub params: Vec<ArrayD<F>>,
}

impl<F: Float> Sequential<F> {
    /// A network after checking that every layer fits the previous one's output.
    ///
    /// # Errors
    /// [`Error::Shape`] (or [`Error::InvalidParameter`] for a zero stride, kernel or window)
    /// naming the layer (0-based, PyTorch's index) and the mismatch.
    pub fn new(layers: Vec<Layer<F>>, input_shape: [usize; 3]) -> Result<Self> {
        let net = Sequential {
            layers,
            input_shape,
        };
        let out = net.output_shape()?;
        if out.len() != 1 {
            return Err(Error::shape(
                "the network's output",
                out,
                "flat class scores",
            ));
        }
        Ok(net)
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Layer<F>] {
        &self.layers
    }

    /// One example's shape `[C, H, W]`.
    pub fn input_shape(&self) -> [usize; 3] {
        self.input_shape
    }

    /// The shapes of every layer's output for one example (`[C, H, W]` or `[features]`).
    ///
    /// # Errors
    /// As [`Layer::output_shape`], for the first layer that does not fit, naming it.
    pub fn shapes(&self) -> Result<Vec<Vec<usize>>> {
        let mut shape = self.input_shape.to_vec();
        let mut all = Vec::with_capacity(self.layers.len());
        for (i, layer) in self.layers.iter().enumerate() {
            shape = layer
                .output_shape(&shape)
                .map_err(|e| in_layer(e, i, layer.kind()))?;
            all.push(shape.clone());
        }
        Ok(all)
    }

    /// The network's output shape for one example (`[classes]` for a classifier).
    ///
    /// # Errors
    /// As [`Self::shapes`].
    pub fn output_shape(&self) -> Result<Vec<usize>> {
        Ok(self
            .shapes()?
            .pop()
            .unwrap_or_else(|| self.input_shape.to_vec()))
    }

    /// Number of classes (the width of the last layer's output).
    pub fn classes(&self) -> usize {
        self.output_shape().map(|s| s[0]).unwrap_or(0)
    }

    /// PyTorch's names of the parameters (`"0.weight"`, `"0.bias"`, `"3.weight"`, ...), in the
    /// order of [`Self::params`].
    pub fn param_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            match layer {
                Layer::Conv2d(c) => {
                    names.push(format!("{i}.weight"));
                    if c.bias.is_some() {
                        names.push(format!("{i}.bias"));
                    }
                }
                Layer::Linear(_) => {
                    names.push(format!("{i}.weight"));
                    names.push(format!("{i}.bias"));
                }
                _ => {}
            }
        }
        names
    }

    /// Views of every parameter tensor (PyTorch layouts), in [`Self::param_names`] order.
    pub fn params(&self) -> Vec<ArrayViewD<'_, F>> {
        self.layers.iter().flat_map(Layer::params).collect()
    }

    /// Mutable views of every parameter tensor, in [`Self::param_names`] order.
    pub fn params_mut(&mut self) -> Vec<ArrayViewMutD<'_, F>> {
        self.layers.iter_mut().flat_map(Layer::params_mut).collect()
    }

    /// Total number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.params().iter().map(|p| p.len()).sum()
    }

    /// Forward pass keeping what the backward pass needs.
    ///
    /// # Panics
    /// When `x` is not `(N, C, H, W)` with the network's input shape (callers check).
    pub fn forward_trace(&self, x: ArrayView4<'_, F>) -> Trace<F> {
        assert_eq!(
            [x.dim().1, x.dim().2, x.dim().3],
            self.input_shape,
            "input shape"
        );
        let mut activations = Vec::with_capacity(self.layers.len() + 1);
        let mut saved = Vec::with_capacity(self.layers.len());
        activations.push(x.to_owned().into_dyn());
        for layer in &self.layers {
            let input = activations.last().expect("input pushed first");
            let (out, keep) = apply(layer, input.view(), true);
            activations.push(out);
            saved.push(keep);
        }
        Trace { activations, saved }
    }

    /// Class scores `(N, classes)` of a batch (single-threaded; see [`Self::predict`]).
    pub fn forward(&self, x: ArrayView4<'_, F>) -> ndarray::Array2<F> {
        let mut current = x.to_owned().into_dyn();
        for layer in &self.layers {
            current = apply(layer, current.view(), false).0;
        }
        current
            .into_dimensionality::<Ix2>()
            .expect("checked: flat output")
    }

    /// Class scores of a batch, in blocks of at most [`PREDICT_BLOCK`] images spread over
    /// rayon's threads (small blocks keep each layer's im2col matrix in cache).
    pub fn predict(&self, x: ArrayView4<'_, F>) -> ndarray::Array2<F> {
        let chunk = chunk_size(x.dim().0).min(PREDICT_BLOCK);
        let parts: Vec<ndarray::Array2<F>> = x
            .axis_chunks_iter(Axis(0), chunk)
            .into_par_iter()
            .map(|part| self.forward(part))
            .collect();
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        ndarray::concatenate(Axis(0), &views).expect("same widths")
    }

    /// Backward pass from `grad_logits = dL/d(scores)` through a [`Trace`]; the input's gradient
    /// is computed only when `input_grad` (training skips it).
    pub fn backward(
        &self,
        trace: &Trace<F>,
        grad_logits: ArrayView2<'_, F>,
        input_grad: bool,
    ) -> Gradients<F> {
        let n_layers = self.layers.len();
        let mut outputs = vec![ArrayD::zeros(ndarray::IxDyn(&[0])); n_layers];
        let mut params_rev: Vec<Vec<ArrayD<F>>> = Vec::with_capacity(n_layers);
        let mut grad = grad_logits.to_owned().into_dyn();
        let mut input = None;
        for i in (0..n_layers).rev() {
            let x = trace.activations[i].view();
            let y = trace.activations[i + 1].view();
            let need = i > 0 || input_grad;
            let (grad_in, params) = back(&self.layers[i], x, y, &trace.saved[i], grad.view(), need);
            params_rev.push(params);
            outputs[i] = grad;
            match grad_in {
                Some(g) if i > 0 => grad = g,
                other => {
                    input = other;
                    grad = ArrayD::zeros(ndarray::IxDyn(&[0]));
                }
            }
        }
        let params = params_rev.into_iter().rev().flatten().collect();
        Gradients {
            input,
            outputs,
            params,
        }
    }

    /// The parameter gradients of [`Self::backward`] alone (what training needs), in
    /// [`Self::param_names`] order: no layer's output gradient is kept, so a ReLU followed by
    /// max-pooling is differentiated in one pass ([`MaxPool2d::backward_through_relu`]; the
    /// same numbers, bit for bit).
    pub fn parameter_gradients(
        &self,
        trace: &Trace<F>,
        grad_logits: ArrayView2<'_, F>,
    ) -> Vec<ArrayD<F>> {
        let mut params_rev: Vec<Vec<ArrayD<F>>> = Vec::with_capacity(self.layers.len());
        let mut grad = grad_logits.to_owned().into_dyn();
        let mut i = self.layers.len();
        while i > 0 {
            i -= 1;
            if let (Layer::MaxPool2d(pool), Saved::Argmax(argmax)) =
                (&self.layers[i], &trace.saved[i])
            {
                if i >= 2 && self.layers[i - 1] == Layer::Activation(Activation::Relu) {
                    let relu_in = as4(trace.activations[i - 1].view()).dim();
                    grad = pool
                        .backward_through_relu(
                            relu_in,
                            argmax,
                            as4(grad.view()),
                            as4(trace.activations[i + 1].view()),
                        )
                        .into_dyn();
                    i -= 1;
                    continue;
                }
            }
            let x = trace.activations[i].view();
            let y = trace.activations[i + 1].view();
            let (grad_in, params) =
                back(&self.layers[i], x, y, &trace.saved[i], grad.view(), i > 0);
            params_rev.push(params);
            match grad_in {
                Some(g) => grad = g,
                None => break,
            }
        }
        params_rev.into_iter().rev().flatten().collect()
    }

    /// Summed softmax cross-entropy loss and its parameter gradients over a batch, split into
    /// blocks of at most [`TRAIN_BLOCK`] images spread over rayon's threads (each block runs the
    /// whole network; the blocks' sums are added in block order).
    ///
    /// # Panics
    /// When the labels do not match the batch or exceed the class count (callers validate).
    pub fn batch_gradients(&self, x: ArrayView4<'_, F>, labels: &[u8]) -> BatchGradients<F> {
        let chunk = chunk_size(x.dim().0).min(TRAIN_BLOCK);
        let parts: Vec<BatchGradients<F>> = x
            .axis_chunks_iter(Axis(0), chunk)
            .into_par_iter()
            .zip(labels.par_chunks(chunk))
            .map(|(part, labels)| {
                let trace = self.forward_trace(part);
                let ce = cross_entropy(trace.logits(), labels);
                BatchGradients {
                    loss_sum: ce.loss_sum.to_f64_exact(),
                    correct: ce.correct,
                    params: self.parameter_gradients(&trace, ce.grad.view()),
                }
            })
            .collect();
        let mut parts = parts.into_iter();
        let mut total = parts.next().expect("a batch has at least one example");
        for part in parts {
            total.loss_sum += part.loss_sum;
            total.correct += part.correct;
            for (t, p) in total.params.iter_mut().zip(&part.params) {
                *t += p;
            }
        }
        total
    }

    /// Initializes every parameter as PyTorch does by default for `Conv2d` and `Linear`:
    /// uniform on `[-1/sqrt(fan_in), 1/sqrt(fan_in)]`, weights and biases alike.
    pub fn init_pytorch<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        for layer in &mut self.layers {
            let fan_in = match layer {
                Layer::Conv2d(c) => c.in_channels() * c.kernel() * c.kernel(),
                Layer::Linear(l) => l.in_features(),
                _ => continue,
            };
            let bound = 1.0 / (fan_in as f64).sqrt();
            for mut p in layer.params_mut() {
                p.mapv_inplace(|_| F::of(rng.random_range(-bound..bound)));
            }
        }
    }

    /// The same network in another element type.
    pub fn cast<G: Float>(&self) -> Sequential<G> {
        let c4 = |a: &Array4<F>| a.mapv(|v| G::of(v.to_f64_exact()));
        let layers = self
            .layers
            .iter()
            .map(|l| match l {
                Layer::Conv2d(c) => Layer::Conv2d(Conv2d {
                    weight: c4(&c.weight),
                    bias: c.bias.as_ref().map(|b| b.mapv(|v| G::of(v.to_f64_exact()))),
                    stride: c.stride,
                    padding: c.padding,
                }),
                Layer::Linear(li) => Layer::Linear(Linear {
                    weight: li.weight.mapv(|v| G::of(v.to_f64_exact())),
                    bias: li.bias.mapv(|v| G::of(v.to_f64_exact())),
                }),
                Layer::MaxPool2d(p) => Layer::MaxPool2d(*p),
                Layer::Flatten => Layer::Flatten,
                Layer::Activation(a) => Layer::Activation(*a),
            })
            .collect();
        Sequential {
            layers,
            input_shape: self.input_shape,
        }
    }
}

/// `err` with the layer it arose in (`index`, `kind`) named.
fn in_layer(err: Error, index: usize, kind: &str) -> Error {
    match err {
        Error::Shape {
            what,
            got,
            expected,
        } => Error::Shape {
            what: format!("layer {index} ({kind}): {what}"),
            got,
            expected,
        },
        Error::InvalidParameter {
            name,
            value,
            expected,
        } => Error::InvalidParameter {
            name,
            value,
            expected: format!("{expected} (layer {index}, {kind})"),
        },
        other => other,
    }
}

fn as4<'a, F>(x: ArrayViewD<'a, F>) -> ndarray::ArrayView4<'a, F> {
    x.into_dimensionality::<Ix4>().expect("checked: 4-D")
}

fn as2<'a, F>(x: ArrayViewD<'a, F>) -> ArrayView2<'a, F> {
    x.into_dimensionality::<Ix2>().expect("checked: 2-D")
}

/// The most images [`Sequential::predict`] runs through the network at once.
pub const PREDICT_BLOCK: usize = 32;

/// The most images [`Sequential::batch_gradients`] runs through the network at once (a
/// thread's share of a larger batch goes in several blocks): LeNet-5's im2col matrices for 16
/// images stay in a core's L2 cache, and a training pass over 16 images took 8% less time per
/// image than over 32 (medians of 300 passes, `examples/cnn_timing`).
pub const TRAIN_BLOCK: usize = 16;

/// Rows per thread when a batch of `n` is split across rayon's threads.
fn chunk_size(n: usize) -> usize {
    n.div_ceil(rayon::current_num_threads().max(1)).max(1)
}

/// One layer's forward pass on a batch, with what its backward pass needs when `keep`.
fn apply<F: Float>(layer: &Layer<F>, x: ArrayViewD<'_, F>, keep: bool) -> (ArrayD<F>, Saved<F>) {
    match layer {
        Layer::Conv2d(c) => {
            let x4 = as4(x);
            let cols = c.columns(x4);
            let out = c.forward_columns(&cols, x4.dim()).into_dyn();
            (
                out,
                if keep {
                    Saved::Columns(cols)
                } else {
                    Saved::Nothing
                },
            )
        }
        Layer::MaxPool2d(p) if !keep => (p.forward_values(as4(x)).into_dyn(), Saved::Nothing),
        Layer::MaxPool2d(p) => {
            let (out, arg) = p.forward(as4(x));
            (out.into_dyn(), Saved::Argmax(arg))
        }
        Layer::Flatten => (flatten(as4(x)).into_dyn(), Saved::Nothing),
        Layer::Linear(l) => (l.forward(as2(x)).into_dyn(), Saved::Nothing),
        Layer::Activation(a) => (a.forward(x), Saved::Nothing),
    }
}

/// One layer's backward pass: dL/d(input) (when `input_grad`) and its parameter gradients.
fn back<F: Float>(
    layer: &Layer<F>,
    x: ArrayViewD<'_, F>,
    y: ArrayViewD<'_, F>,
    saved: &Saved<F>,
    grad: ArrayViewD<'_, F>,
    input_grad: bool,
) -> (Option<ArrayD<F>>, Vec<ArrayD<F>>) {
    match layer {
        Layer::Conv2d(c) => {
            let (gx, g) = match saved {
                Saved::Columns(cols) => {
                    c.backward_columns(cols, as4(x).dim(), as4(grad), input_grad)
                }
                _ => c.backward(as4(x), as4(grad), input_grad),
            };
            let mut params = vec![g.weight.into_dyn()];
            params.extend(g.bias.map(|b| b.into_dyn()));
            (gx.map(|a| a.into_dyn()), params)
        }
        Layer::MaxPool2d(p) => {
            let dim = as4(x).dim();
            let gx = input_grad.then(|| {
                let Saved::Argmax(argmax) = saved else {
                    panic!("a pooling layer's trace holds its arg-max")
                };
                p.backward(dim, argmax, as4(grad)).into_dyn()
            });
            (gx, Vec::new())
        }
        Layer::Flatten => {
            let gx = input_grad.then(|| {
                grad.as_standard_layout()
                    .into_owned()
                    .into_shape_with_order(x.raw_dim())
                    .expect("same element count")
            });
            (gx, Vec::new())
        }
        Layer::Linear(l) => {
            let (gx, g) = l.backward(as2(x), as2(grad), input_grad);
            (
                gx.map(|a| a.into_dyn()),
                vec![g.weight.into_dyn(), g.bias.into_dyn()],
            )
        }
        Layer::Activation(a) => (input_grad.then(|| a.backward(y, grad)), Vec::new()),
    }
}
