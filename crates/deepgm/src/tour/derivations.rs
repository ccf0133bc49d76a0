//! The derivation steps of the four problems of docs/derivations.md, for the tour's report.
//!
//! Each [`Step`] restates one numbered subsection of `docs/derivations.md` twice: as an HTML
//! fragment with its formulas in presentation MathML (for `index.html`) and as plain text (for
//! `report.md`). The tour shows every step beside the numerical checks that confirm it; the
//! steps mark, as the page does, where deepgm corrects the source ("Correction of the source")
//! or completes it ("Completion").

/// Which of the four derivations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Problem 1: a convolutional network with explicit backpropagation.
    Cnn,
    /// Problem 2: Bayesian networks.
    Bn,
    /// Problem 3: restricted Boltzmann machines.
    Rbm,
    /// Problem 4: Ising-model image denoising.
    Mrf,
}

impl Problem {
    /// The four problems, in the order of the source.
    pub const ALL: [Problem; 4] = [Problem::Cnn, Problem::Bn, Problem::Rbm, Problem::Mrf];
}

/// One step of a derivation, as the tour shows it beside the checks that confirm it.
pub struct Step {
    /// Short anchor id, unique across all problems, e.g. "cnn-output-side" (lowercase, digits, '-').
    pub id: &'static str,
    /// The section number of docs/derivations.md it restates, e.g. "1.2".
    pub section: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The step as HTML: prose with formulas in presentation MathML (`<math>` elements;
    /// `display="block"` for displayed equations), no backtick characters, no `<script>`, valid
    /// XML.
    pub html: &'static str,
    /// The same step as plain text for the Markdown report (formulas in plain ASCII/Unicode
    /// notation, no backticks, no '|' characters).
    pub text: &'static str,
}

/// The steps of one derivation, in order.
pub fn steps(problem: Problem) -> &'static [Step] {
    match problem {
        Problem::Cnn => CNN,
        Problem::Bn => BN,
        Problem::Rbm => RBM,
        Problem::Mrf => MRF,
    }
}

/// The step with this id. Panics are not allowed: returns None when unknown.
pub fn step(id: &str) -> Option<&'static Step> {
    Problem::ALL
        .iter()
        .flat_map(|&p| steps(p).iter())
        .find(|s| s.id == id)
}

/// Problem 1, docs/derivations.md section 1.
static CNN: &[Step] = &[
    Step {
        id: "cnn-convolution",
        section: "1.1",
        title: "The convolution",
        html: r#"<p>Feature map <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi></math> is the cross-correlation of the <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>d</mi><mo>&#x00D7;</mo><mi>d</mi></math> input <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>X</mi></math> with the <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>k</mi><mo>&#x00D7;</mo><mi>k</mi></math> kernel <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>W</mi><mi>i</mi></msup></math> at stride <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>s</mi></math>:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup><mo>=</mo><munderover><mo>&#x2211;</mo><mrow><mi>p</mi><mo>=</mo><mn>1</mn></mrow><mi>k</mi></munderover><munderover><mo>&#x2211;</mo><mrow><mi>q</mi><mo>=</mo><mn>1</mn></mrow><mi>k</mi></munderover><msub><mi>X</mi><mrow><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>p</mi><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>q</mi></mrow></msub><msubsup><mi>W</mi><mrow><mi>p</mi><mo>,</mo><mi>q</mi></mrow><mi>i</mi></msubsup></math>
<p>Output <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>,</mo><mi>n</mi><mo>)</mo></math> reads the window whose top-left corner is input <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mn>1</mn><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mn>1</mn><mo>)</mo></math>; the kernel is not flipped, as in PyTorch.</p>
<p class="completion"><strong>Completion.</strong> deepgm adds <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>C</mi></math> input channels, zero padding <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>P</mi></math> on each side and a bias <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>b</mi><mi>i</mi></msub></math> per map (the source has none), with <math xmlns="http://www.w3.org/1998/Math/MathML"><mover><mi>X</mi><mo>&#x02DC;</mo></mover></math> the input padded with zeros:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup><mo>=</mo><msub><mi>b</mi><mi>i</mi></msub><mo>+</mo><munderover><mo>&#x2211;</mo><mrow><mi>c</mi><mo>=</mo><mn>1</mn></mrow><mi>C</mi></munderover><munderover><mo>&#x2211;</mo><mrow><mi>p</mi><mo>,</mo><mi>q</mi><mo>=</mo><mn>1</mn></mrow><mi>k</mi></munderover><msub><mover><mi>X</mi><mo>&#x02DC;</mo></mover><mrow><mi>c</mi><mo>,</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>p</mi><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>q</mi></mrow></msub><msubsup><mi>W</mi><mrow><mi>c</mi><mo>,</mo><mi>p</mi><mo>,</mo><mi>q</mi></mrow><mi>i</mi></msubsup></math>"#,
        text: "Feature map i is the cross-correlation of the d×d input X with the k×k kernel W^i at stride s: Y^i[m,n] = Σ_{p=1..k} Σ_{q=1..k} X[(m−1)s+p, (n−1)s+q] · W^i[p,q]. Output (m,n) reads the window whose top-left corner is input ((m−1)s+1, (n−1)s+1); the kernel is not flipped, as in PyTorch. Completion: deepgm adds C input channels, zero padding P on each side and a bias b_i per map (the source has none): Y^i[m,n] = b_i + Σ_{c=1..C} Σ_{p,q=1..k} X̃[c, (m−1)s+p, (n−1)s+q] · W^i[c,p,q], with X̃ the input padded with zeros.",
    },
    Step {
        id: "cnn-output-side",
        section: "1.2",
        title: "The output side",
        html: r#"<p>Output row <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi></math> uses input rows <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mn>1</mn></math> to <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>k</mi></math>, so it exists exactly when <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>k</mi><mo>&#x2264;</mo><mi>d</mi></math>, that is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi><mo>&#x2264;</mo><mo>(</mo><mi>d</mi><mo>&#x2212;</mo><mi>k</mi><mo>)</mo><mo>/</mo><mi>s</mi><mo>+</mo><mn>1</mn></math>. Counting the integers <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi><mo>&#x2265;</mo><mn>1</mn></math> that satisfy this gives the side of each map (with padding, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>d</mi></math> becomes <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>d</mi><mo>+</mo><mn>2</mn><mi>P</mi></math>):</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msub><mi>S</mi><mi>Y</mi></msub><mo>=</mo><mrow><mo>&#x230A;</mo><mfrac><mrow><mi>d</mi><mo>&#x2212;</mo><mi>k</mi></mrow><mi>s</mi></mfrac><mo>&#x230B;</mo></mrow><mo>+</mo><mn>1</mn></math>
<p class="correction"><strong>Correction of the source.</strong> The source gives the side as <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>d</mi><mo>&#x2212;</mo><mi>k</mi><mo>+</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>s</mi></math>. Writing <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>d</mi><mo>&#x2212;</mo><mi>k</mi><mo>=</mo><mi>a</mi><mi>s</mi><mo>+</mo><mi>r</mi></math> with <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>0</mn><mo>&#x2264;</mo><mi>r</mi><mo>&lt;</mo><mi>s</mi></math>, the true side is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi><mo>+</mo><mn>1</mn></math> and the source's value is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi><mo>+</mo><mo>(</mo><mi>r</mi><mo>+</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>s</mi></math>: they agree only when <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>s</mi></math> divides <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>d</mi><mo>&#x2212;</mo><mi>k</mi><mo>+</mo><mn>1</mn></math> (always for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>s</mi><mo>=</mo><mn>1</mn></math>). For <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>d</mi><mo>=</mo><mn>28</mn><mo>,</mo><mi>k</mi><mo>=</mo><mn>4</mn><mo>,</mo><mi>s</mi><mo>=</mo><mn>3</mn></math> the layer has 9 outputs per row, where the source's formula gives <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>25</mn><mo>/</mo><mn>3</mn></math>.</p>"#,
        text: "Output row m uses input rows (m−1)s+1 to (m−1)s+k, so it exists exactly when (m−1)s+k ≤ d, that is m ≤ (d−k)/s + 1. Counting the integers m ≥ 1 that satisfy this gives the side of each map: S_Y = floor((d−k)/s) + 1 (with padding, d becomes d+2P). Correction of the source: the source gives (d−k+1)/s. Writing d−k = a·s + r with 0 ≤ r ≤ s−1, the true side is a+1 and the source's value is a + (r+1)/s: they agree only when s divides d−k+1 (always for s = 1). For d = 28, k = 4, s = 3 the layer has 9 outputs per row, where the source's formula gives 25/3.",
    },
    Step {
        id: "cnn-weight-gradient",
        section: "1.3",
        title: "The weight gradient",
        html: r#"<p><math xmlns="http://www.w3.org/1998/Math/MathML"><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></math> is linear in <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>W</mi><mi>i</mi></msup></math>, and no other map depends on <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>W</mi><mi>i</mi></msup></math>:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>W</mi><mrow><mi>p</mi><mo>,</mo><mi>q</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><mo>=</mo><msub><mi>X</mi><mrow><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>p</mi><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>q</mi></mrow></msub></math>
<p>The loss <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>L</mi></math> depends on <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>W</mi><mi>i</mi></msup></math> only through the entries of <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>Y</mi><mi>i</mi></msup></math>, so by the chain rule</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>W</mi><mrow><mi>p</mi><mo>,</mo><mi>q</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><mo>=</mo><munderover><mo>&#x2211;</mo><mrow><mi>m</mi><mo>=</mo><mn>1</mn></mrow><msub><mi>S</mi><mi>Y</mi></msub></munderover><munderover><mo>&#x2211;</mo><mrow><mi>n</mi><mo>=</mo><mn>1</mn></mrow><msub><mi>S</mi><mi>Y</mi></msub></munderover><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><msub><mi>X</mi><mrow><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>p</mi><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>q</mi></mrow></msub><mo>,</mo><mspace width="2em"></mspace><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msub><mi>b</mi><mi>i</mi></msub></mrow></mfrac><mo>=</mo><munder><mo>&#x2211;</mo><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow></munder><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow></mfrac></math>
<p>Over a batch the per-image gradients add up; deepgm computes the sum for the whole batch as one matrix product with the unrolled input windows (im2col).</p>
<p class="correction"><strong>Correction of the source.</strong> The source's sum writes <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2202;</mo><mi>L</mi><mo>/</mo><mo>&#x2202;</mo><msup><mi>Y</mi><mi>i</mi></msup></math> without the indices <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi><mo>,</mo><mi>n</mi></math> and runs to <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>d</mi><mo>&#x2212;</mo><mi>k</mi><mo>+</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>s</mi></math>: the summand is entry <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>,</mo><mi>n</mi><mo>)</mo></math> of the upstream gradient, and the sum runs to the corrected side <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>S</mi><mi>Y</mi></msub></math>. The bias gradient is a completion.</p>"#,
        text: "Y^i[m,n] is linear in W^i, and no other map depends on W^i: ∂Y^i[m,n]/∂W^i[p,q] = X[(m−1)s+p, (n−1)s+q]. The loss L depends on W^i only through the entries of Y^i, so by the chain rule ∂L/∂W^i[p,q] = Σ_{m=1..S_Y} Σ_{n=1..S_Y} ∂L/∂Y^i[m,n] · X[(m−1)s+p, (n−1)s+q], and ∂L/∂b_i = Σ_{m,n} ∂L/∂Y^i[m,n]. Over a batch the per-image gradients add up; deepgm computes the sum for the whole batch as one matrix product with the unrolled input windows (im2col). Correction of the source: its sum writes ∂Loss/∂Y^i without the indices m, n and runs to (d−k+1)/s; the summand is entry (m,n) of the upstream gradient and the sum runs to the corrected side S_Y. The bias gradient is a completion.",
    },
    Step {
        id: "cnn-input-gradient",
        section: "1.4",
        title: "The input gradient",
        html: r#"<p class="completion"><strong>Completion.</strong> The source stops at the weight gradient. Stacking layers needs <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2202;</mo><mi>L</mi><mo>/</mo><mo>&#x2202;</mo><mi>X</mi></math>, and so does checking a whole network against finite differences in its input.</p>
<p>Input <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>X</mi><mrow><mi>u</mi><mo>,</mo><mi>v</mi></mrow></msub></math> enters output <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>,</mo><mi>n</mi><mo>)</mo></math> of map <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi></math> once, with weight <math xmlns="http://www.w3.org/1998/Math/MathML"><msubsup><mi>W</mi><mrow><mi>u</mi><mo>&#x2212;</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>,</mo><mi>v</mi><mo>&#x2212;</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi></mrow><mi>i</mi></msubsup></math>, when both kernel indices lie in <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>1</mn><mo>,</mo><mo>&#x2026;</mo><mo>,</mo><mi>k</mi></math>, and not at all otherwise. Summing over every output of every map (terms outside the kernel left out):</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msub><mi>X</mi><mrow><mi>u</mi><mo>,</mo><mi>v</mi></mrow></msub></mrow></mfrac><mo>=</mo><munder><mo>&#x2211;</mo><mi>i</mi></munder><munder><mo>&#x2211;</mo><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow></munder><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><msubsup><mi>W</mi><mrow><mi>u</mi><mo>&#x2212;</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>,</mo><mi>v</mi><mo>&#x2212;</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi></mrow><mi>i</mi></msubsup></math>
<p>Read the other way round it is a scatter, which is how deepgm computes it: each product <math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><msubsup><mi>W</mi><mrow><mi>p</mi><mo>,</mo><mi>q</mi></mrow><mi>i</mi></msubsup></math> is added into <math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msub><mi>X</mi><mrow><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>p</mi><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>s</mi><mo>+</mo><mi>q</mi></mrow></msub></mrow></mfrac></math>. With padding the share that falls on the padded border is dropped; inputs that no window reads get 0.</p>"#,
        text: "Completion: the source stops at the weight gradient; stacking layers needs ∂L/∂X, and so does checking a whole network against finite differences in its input. Input X[u,v] enters output (m,n) of map i once, with weight W^i[u−(m−1)s, v−(n−1)s], when both kernel indices lie in 1..k, and not at all otherwise. Summing over every output of every map: ∂L/∂X[u,v] = Σ_i Σ_{m,n} ∂L/∂Y^i[m,n] · W^i[u−(m−1)s, v−(n−1)s] (terms outside the kernel left out). Read the other way round it is a scatter, which is how deepgm computes it: each product ∂L/∂Y^i[m,n] · W^i[p,q] is added into ∂L/∂X[(m−1)s+p, (n−1)s+q]. With padding the share that falls on the padded border is dropped; inputs that no window reads get 0.",
    },
    Step {
        id: "cnn-max-pooling",
        section: "1.5",
        title: "Max pooling",
        html: r#"<p>With a <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>&#x00D7;</mo><mi>p</mi></math> window and stride <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi></math>,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msubsup><mi>P</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup><mo>=</mo><munder><mo movablelimits="false">max</mo><mrow><mi>a</mi><mo>,</mo><mi>b</mi><mo>&#x2208;</mo><mo>{</mo><mn>1</mn><mo>,</mo><mo>&#x2026;</mo><mo>,</mo><mi>p</mi><mo>}</mo></mrow></munder><msubsup><mi>Y</mi><mrow><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>t</mi><mo>+</mo><mi>a</mi><mo>,</mo><mo>(</mo><mi>n</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>t</mi><mo>+</mo><mi>b</mi></mrow><mi>i</mi></msubsup></math>
<p>which for the source's stride <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi><mo>=</mo><mn>1</mn></math> reads <math xmlns="http://www.w3.org/1998/Math/MathML"><msubsup><mi>Y</mi><mrow><mi>m</mi><mo>+</mo><mi>a</mi><mo>&#x2212;</mo><mn>1</mn><mo>,</mo><mi>n</mi><mo>+</mo><mi>b</mi><mo>&#x2212;</mo><mn>1</mn></mrow><mi>i</mi></msubsup></math>. By the argument of 1.2 the pooled side is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>S</mi><mo>=</mo><mo>&#x230A;</mo><mo>(</mo><msub><mi>S</mi><mi>Y</mi></msub><mo>&#x2212;</mo><mi>p</mi><mo>)</mo><mo>/</mo><mi>t</mi><mo>&#x230B;</mo><mo>+</mo><mn>1</mn></math>; for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi><mo>=</mo><mn>1</mn></math> it is <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>S</mi><mi>Y</mi></msub><mo>&#x2212;</mo><mi>p</mi><mo>+</mo><mn>1</mn></math>, the source's size once <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>S</mi><mi>Y</mi></msub></math> is corrected. Windows overlap when <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi><mo>&lt;</mo><mi>p</mi></math>; <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi><mo>=</mo><mi>p</mi></math> is classic non-overlapping pooling. Each window records its arg-max; when several positions hold the maximum, the first in row-major window order wins (smallest <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math>, then smallest <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>b</mi></math>).</p>
<p class="completion"><strong>Completion.</strong> The stride <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi></math> is deepgm's generalization, and the tie rule (PyTorch's) is its choice: the source does not say which position a tied window selects.</p>"#,
        text: "With a p×p window and stride t, P^i[m,n] = max over a,b in {1,…,p} of Y^i[(m−1)t+a, (n−1)t+b], which for the source's stride t = 1 reads Y^i[m+a−1, n+b−1]. By the argument of 1.2 the pooled side is S = floor((S_Y − p)/t) + 1; for t = 1 it is S_Y − p + 1, the source's size once S_Y is corrected. Windows overlap when t is smaller than p; t = p is classic non-overlapping pooling. Each window records its arg-max; when several positions hold the maximum, the first in row-major window order wins (smallest a, then smallest b). Completion: the stride t is deepgm's generalization, and the tie rule (PyTorch's) is its choice, since the source does not say which position a tied window selects.",
    },
    Step {
        id: "cnn-pooling-backward",
        section: "1.6",
        title: "The pooling backward pass",
        html: r#"<p>Where the maximum of window <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>(</mo><mi>m</mi><mo>,</mo><mi>n</mi><mo>)</mo></math> is unique, <math xmlns="http://www.w3.org/1998/Math/MathML"><msubsup><mi>P</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></math> equals the arg-max entry of <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>Y</mi><mi>i</mi></msup></math> for all nearby values, so its derivative is 1 at the arg-max and 0 elsewhere. The chain rule sums over every pooled output:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>Y</mi><mrow><mi>u</mi><mo>,</mo><mi>v</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><mo>=</mo><munderover><mo>&#x2211;</mo><mrow><mi>m</mi><mo>,</mo><mi>n</mi><mo>=</mo><mn>1</mn></mrow><mi>S</mi></munderover><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>P</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><mspace width="0.2em"></mspace><mi>&#x1D7D9;</mi><mo>[</mo><mo>(</mo><mi>u</mi><mo>,</mo><mi>v</mi><mo>)</mo><mtext>&#xA0;is the arg-max of window&#xA0;</mtext><mo>(</mo><mi>m</mi><mo>,</mo><mi>n</mi><mo>)</mo><mo>]</mo></math>
<p class="correction"><strong>Correction of the source.</strong> The source sums over the offsets <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi><mo>,</mo><mi>j</mi><mo>=</mo><mn>1</mn><mo>,</mo><mo>&#x2026;</mo><mo>,</mo><mi>p</mi></math> inside one window. The sum must run over the windows: with overlapping windows one input can be the maximum of several (up to <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>p</mi><mn>2</mn></msup></math> at stride 1) and receives the <em>sum</em> of their gradients. The centre of a <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>3</mn><mo>&#x00D7;</mo><mn>3</mn></math> input holding its largest value wins all four <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>2</mn><mo>&#x00D7;</mo><mn>2</mn></math> windows and receives all four gradients.</p>
<p class="completion"><strong>Completion.</strong> At a tie the maximum is not differentiable, and any split of the gradient among the tied positions is a valid subgradient. deepgm sends all of it to the first maximum in row-major window order, as PyTorch does, so the two agree at ties too.</p>"#,
        text: "Where the maximum of window (m,n) is unique, P^i[m,n] equals the arg-max entry of Y^i for all nearby values, so its derivative is 1 at the arg-max and 0 elsewhere. The chain rule sums over every pooled output: ∂L/∂Y^i[u,v] = Σ_{m,n=1..S} ∂L/∂P^i[m,n] · 1[(u,v) is the arg-max of window (m,n)]. Correction of the source: the source sums over the offsets i,j = 1..p inside one window; the sum must run over the windows: with overlapping windows one input can be the maximum of several (up to p² at stride 1) and receives the sum of their gradients. The centre of a 3×3 input holding its largest value wins all four 2×2 windows and receives all four gradients. Completion: at a tie the maximum is not differentiable, and any split of the gradient among the tied positions is a valid subgradient; deepgm sends all of it to the first maximum in row-major window order, as PyTorch does, so the two agree at ties too.",
    },
    Step {
        id: "cnn-flatten",
        section: "1.7",
        title: "Flatten",
        html: r#"<p>The <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>F</mi></math> pooled maps of side <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>S</mi></math> become one vector of length <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>F</mi><msup><mi>S</mi><mn>2</mn></msup></math>, map by map and row by row within a map:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msub><mi>f</mi><mi>j</mi></msub><mo>=</mo><msubsup><mi>P</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup><mo>,</mo><mspace width="2em"></mspace><mi>j</mi><mo>=</mo><mo>(</mo><mi>i</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><msup><mi>S</mi><mn>2</mn></msup><mo>+</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>S</mi><mo>+</mo><mi>n</mi></math>
<p>Division with remainder inverts it: <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi><mo>=</mo><mo>&#x2308;</mo><mi>j</mi><mo>/</mo><msup><mi>S</mi><mn>2</mn></msup><mo>&#x2309;</mo></math>, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi><mo>=</mo><mo>&#x2308;</mo><mo>(</mo><mi>j</mi><mo>&#x2212;</mo><mo>(</mo><mi>i</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><msup><mi>S</mi><mn>2</mn></msup><mo>)</mo><mo>/</mo><mi>S</mi><mo>&#x2309;</mo></math>, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>n</mi><mo>=</mo><mi>j</mi><mo>&#x2212;</mo><mo>(</mo><mi>i</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><msup><mi>S</mi><mn>2</mn></msup><mo>&#x2212;</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>S</mi></math>, so flattening is a bijection: exactly PyTorch's flatten of an <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>F</mi><mo>&#x00D7;</mo><mi>S</mi><mo>&#x00D7;</mo><mi>S</mi></math> tensor stored row-major. Its Jacobian is a permutation matrix, so the backward pass applies the inverse permutation:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>P</mi><mrow><mi>m</mi><mo>,</mo><mi>n</mi></mrow><mi>i</mi></msubsup></mrow></mfrac><mo>=</mo><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><msub><mi>f</mi><mrow><mo>(</mo><mi>i</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><msup><mi>S</mi><mn>2</mn></msup><mo>+</mo><mo>(</mo><mi>m</mi><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mi>S</mi><mo>+</mo><mi>n</mi></mrow></msub></mrow></mfrac></math>
<p>This is the source's formula; the source calls the map index <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>k</mi></math>, which is also its kernel side.</p>"#,
        text: "The F pooled maps of side S become one vector of length F·S², map by map and row by row within a map: f_j = P^i[m,n] with j = (i−1)S² + (m−1)S + n. Division with remainder inverts it: i = ceil(j/S²), m = ceil((j − (i−1)S²)/S), n = j − (i−1)S² − (m−1)S, so flattening is a bijection: exactly PyTorch's flatten of an F×S×S tensor stored row-major. Its Jacobian is a permutation matrix, so the backward pass applies the inverse permutation: ∂L/∂P^i[m,n] = ∂L/∂f_{(i−1)S² + (m−1)S + n}. This is the source's formula; the source calls the map index k, which is also its kernel side.",
    },
    Step {
        id: "cnn-softmax-cross-entropy",
        section: "1.8",
        title: "The softmax layer and the cross-entropy",
        html: r#"<p class="completion"><strong>Completion.</strong> The source ends with the heading "Softmax Layer". deepgm completes it with a fully connected layer <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>z</mi><mo>=</mo><mi>A</mi><mi>f</mi><mo>+</mo><mi>a</mi></math>, a numerically stable softmax and the cross-entropy loss.</p>
<p>With <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>M</mi><mo>=</mo><msub><mo movablelimits="true">max</mo><mi>l</mi></msub><msub><mi>z</mi><mi>l</mi></msub></math> (subtracting it cancels between numerator and denominator and keeps every exponent at most 0):</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msub><mi>p</mi><mi>j</mi></msub><mo>=</mo><mfrac><msup><mi>e</mi><mrow><msub><mi>z</mi><mi>j</mi></msub><mo>&#x2212;</mo><mi>M</mi></mrow></msup><mrow><munder><mo>&#x2211;</mo><mi>l</mi></munder><msup><mi>e</mi><mrow><msub><mi>z</mi><mi>l</mi></msub><mo>&#x2212;</mo><mi>M</mi></mrow></msup></mrow></mfrac><mo>,</mo><mspace width="2em"></mspace><mi>L</mi><mo>=</mo><mo>&#x2212;</mo><mi>log</mi><msub><mi>p</mi><mi>y</mi></msub><mo>=</mo><mi>M</mi><mo>+</mo><mi>log</mi><munder><mo>&#x2211;</mo><mi>l</mi></munder><msup><mi>e</mi><mrow><msub><mi>z</mi><mi>l</mi></msub><mo>&#x2212;</mo><mi>M</mi></mrow></msup><mo>&#x2212;</mo><msub><mi>z</mi><mi>y</mi></msub></math>
<p>The derivative of the log-sum-exp in <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>z</mi><mi>j</mi></msub></math> is <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>p</mi><mi>j</mi></msub></math> and that of <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>z</mi><mi>y</mi></msub></math> is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x1D7D9;</mi><mo>[</mo><mi>j</mi><mo>=</mo><mi>y</mi><mo>]</mo></math>, so</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><mi>z</mi></mrow></mfrac><mo>=</mo><mi>p</mi><mo>&#x2212;</mo><mi>onehot</mi><mo>(</mo><mi>y</mi><mo>)</mo></math>
<p>Through the linear layer, with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>g</mi><mo>=</mo><mi>p</mi><mo>&#x2212;</mo><mi>onehot</mi><mo>(</mo><mi>y</mi><mo>)</mo></math>: <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2202;</mo><mi>L</mi><mo>/</mo><mo>&#x2202;</mo><mi>A</mi><mo>=</mo><mi>g</mi><msup><mi>f</mi><mo>&#x22A4;</mo></msup></math>, <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2202;</mo><mi>L</mi><mo>/</mo><mo>&#x2202;</mo><mi>a</mi><mo>=</mo><mi>g</mi></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2202;</mo><mi>L</mi><mo>/</mo><mo>&#x2202;</mo><mi>f</mi><mo>=</mo><msup><mi>A</mi><mo>&#x22A4;</mo></msup><mi>g</mi></math>, which 1.7, 1.6 and 1.3 carry back to the kernels. The batch loss is the mean over its <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>N</mi></math> images, so each image's gradient carries a factor <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>1</mn><mo>/</mo><mi>N</mi></math>.</p>"#,
        text: "Completion: the source ends with the heading \"Softmax Layer\"; deepgm completes it with a fully connected layer z = A f + a, a numerically stable softmax and the cross-entropy loss. With M = max_l z_l (subtracting it cancels between numerator and denominator and keeps every exponent at most 0): p_j = exp(z_j − M) / Σ_l exp(z_l − M), and L = −log p_y = M + log Σ_l exp(z_l − M) − z_y. The derivative of the log-sum-exp in z_j is p_j and that of z_y is 1[j = y], so ∂L/∂z = p − onehot(y). Through the linear layer, with g = p − onehot(y): ∂L/∂A = g fᵀ, ∂L/∂a = g and ∂L/∂f = Aᵀ g, which 1.7, 1.6 and 1.3 carry back to the kernels. The batch loss is the mean over its N images, so each image's gradient carries a factor 1/N.",
    },
];

/// Problem 2, docs/derivations.md section 2.
static BN: &[Step] = &[
    Step {
        id: "bn-factorization",
        section: "2.1",
        title: "The factorization and the ordering",
        html: r#"<p>A Bayesian network is a directed acyclic graph over <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub><mo>,</mo><mo>&#x2026;</mo><mo>,</mo><msub><mi>x</mi><mi>K</mi></msub></math> with one conditional distribution per variable given its parents <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>pa</mi><mi>k</mi></msub></math>:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><munderover><mo>&#x220F;</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo></math>
<p>In deepgm the variables are discrete and each conditional is a table with one row, a distribution over the states, per configuration of the parents. The source orders the variables so that parents come later, <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>pa</mi><mi>i</mi></msub><mo>&#x2286;</mo><mo>{</mo><msub><mi>x</mi><mi>j</mi></msub><mo>:</mo><mi>j</mi><mo>&gt;</mo><mi>i</mi><mo>}</mo></math>. Such an order exists: a finite acyclic graph has a variable with no children (otherwise following children would revisit a variable, a cycle); put it first, remove it and repeat. Reversed, this is a topological order.</p>
<p class="completion"><strong>Completion.</strong> The source assumes the order; the argument above shows it exists. deepgm finds a topological order by Kahn's algorithm and reports a graph without one with one of its cycles.</p>"#,
        text: "A Bayesian network is a directed acyclic graph over x_1, …, x_K with one conditional distribution per variable given its parents pa_k: p(x) = ∏_{k=1..K} p(x_k ∣ pa_k). In deepgm the variables are discrete and each conditional is a table with one row, a distribution over the states, per configuration of the parents. The source orders the variables so that parents come later: pa_i ⊆ {x_j : j after i}. Such an order exists: a finite acyclic graph has a variable with no children (otherwise following children would revisit a variable, a cycle); put it first, remove it and repeat. Reversed, this is a topological order. Completion: the source assumes the order; the argument above shows it exists. deepgm finds a topological order by Kahn's algorithm and reports a graph without one with one of its cycles.",
    },
    Step {
        id: "bn-normalization",
        section: "2.2",
        title: "The joint distribution sums to 1",
        html: r#"<p>In that order <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub></math> is nobody's parent, so it appears only in its own factor, and the sum over it moves inside:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><munder><mo>&#x2211;</mo><mrow><msub><mi>x</mi><mn>1</mn></msub><mo>,</mo><mo>&#x2026;</mo><mo>,</mo><msub><mi>x</mi><mi>K</mi></msub></mrow></munder><munderover><mo>&#x220F;</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo><mo>=</mo><munder><mo>&#x2211;</mo><mrow><msub><mi>x</mi><mn>2</mn></msub><mo>,</mo><mo>&#x2026;</mo><mo>,</mo><msub><mi>x</mi><mi>K</mi></msub></mrow></munder><mrow><mo>[</mo><munderover><mo>&#x220F;</mo><mrow><mi>k</mi><mo>=</mo><mn>2</mn></mrow><mi>K</mi></munderover><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo><mo>]</mo></mrow><munder><mo>&#x2211;</mo><msub><mi>x</mi><mn>1</mn></msub></munder><mi>p</mi><mo>(</mo><msub><mi>x</mi><mn>1</mn></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mn>1</mn></msub><mo>)</mo></math>
<p>The inner sum is one row of the table of <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub></math>, which is 1 whatever the parents are. What remains is the network without <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub></math>, which keeps the ordering. After <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>K</mi><mo>&#x2212;</mo><mn>1</mn></math> such steps only <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mo>&#x2211;</mo><msub><mi>x</mi><mi>K</mi></msub></msub><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>K</mi></msub><mo>)</mo><mo>=</mo><mn>1</mn></math> is left, since nothing comes after <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>K</mi></msub></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>pa</mi><mi>K</mi></msub><mo>=</mo><mi>&#x2205;</mi></math>. Hence <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mo>&#x2211;</mo><mi>x</mi></msub><mi>p</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><mn>1</mn></math>. Every intermediate line is itself a marginal, <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mo>&#x2211;</mo><mrow><msub><mi>x</mi><mn>1</mn></msub><mo>&#x2026;</mo><msub><mi>x</mi><mi>j</mi></msub></mrow></msub><mi>p</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><msub><mo>&#x220F;</mo><mrow><mi>k</mi><mo>&gt;</mo><mi>j</mi></mrow></msub><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo></math>: summing out a variable that is nobody's parent leaves the same factorization over the rest.</p>
<p class="correction"><strong>Correction of the source.</strong> The source justifies the first step by <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub><mo>&#x2209;</mo><msubsup><mo>&#x22C2;</mo><mrow><mi>k</mi><mo>=</mo><mn>2</mn></mrow><mi>K</mi></msubsup><msub><mi>pa</mi><mi>k</mi></msub></math>. The step needs <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub><mo>&#x2209;</mo><msubsup><mo>&#x22C3;</mo><mrow><mi>k</mi><mo>=</mo><mn>2</mn></mrow><mi>K</mi></msubsup><msub><mi>pa</mi><mi>k</mi></msub></math>: <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub></math> must be in no other parent set, not merely missing from one.</p>"#,
        text: "In that order x_1 is nobody's parent, so it appears only in its own factor, and the sum over it moves inside: Σ_{x_1..x_K} ∏_{k=1..K} p(x_k ∣ pa_k) = Σ_{x_2..x_K} [∏_{k=2..K} p(x_k ∣ pa_k)] · Σ_{x_1} p(x_1 ∣ pa_1). The inner sum is one row of the table of x_1, which is 1 whatever the parents are. What remains is the network without x_1, which keeps the ordering. After K−1 such steps only Σ_{x_K} p(x_K) = 1 is left, since nothing comes after x_K and pa_K is empty. Hence Σ_x p(x) = 1. Every intermediate line is itself a marginal, Σ_{x_1..x_j} p(x) = ∏_{k=j+1..K} p(x_k ∣ pa_k): summing out a variable that is nobody's parent leaves the same factorization over the rest. Correction of the source: it justifies the first step by x_1 ∉ ⋂_{k=2..K} pa_k; the step needs x_1 ∉ ⋃_{k=2..K} pa_k: x_1 must be in no other parent set, not merely missing from one.",
    },
    Step {
        id: "bn-validation",
        section: "2.3",
        title: "Validation",
        html: r#"<p>The theorem of 2.2 has two hypotheses: the graph is acyclic, and every row of every table is a distribution. deepgm checks both whenever it reads a model: the graph must be acyclic (otherwise the error lists a cycle), each table must have the size that its variable's and its parents' state counts imply, every entry must be finite and in <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>[</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>]</mo></math>, and every row must satisfy</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow><mo>&#x2223;</mo><munder><mo>&#x2211;</mo><msub><mi>x</mi><mi>k</mi></msub></munder><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo><mo>&#x2212;</mo><mn>1</mn><mo>&#x2223;</mo></mrow><mo>&#x2264;</mo><msup><mn>10</mn><mrow><mo>&#x2212;</mo><mn>6</mn></mrow></msup></math>
<p>A row that does not is rejected with an error naming the variable and the parent configuration of the row.</p>
<p class="completion"><strong>Completion.</strong> Files round their probabilities, so rows sum to 1 only approximately. deepgm stores rows as written but divides each by its sum before inference and sampling (a change of at most <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mn>10</mn><mrow><mo>&#x2212;</mo><mn>6</mn></mrow></msup></math>), so that 2.2, and the pruning of 2.4 that rests on it, hold exactly.</p>"#,
        text: "The theorem of 2.2 has two hypotheses: the graph is acyclic, and every row of every table is a distribution. deepgm checks both whenever it reads a model: the graph must be acyclic (otherwise the error lists a cycle), each table must have the size that its variable's and its parents' state counts imply, every entry must be finite and in [0, 1], and every row must sum to 1 within 1e-6. A row that does not is rejected with an error naming the variable and the parent configuration of the row. Completion: files round their probabilities, so rows sum to 1 only approximately; deepgm stores rows as written but divides each by its sum before inference and sampling (a change of at most 1e-6), so that 2.2, and the pruning of 2.4 that rests on it, hold exactly.",
    },
    Step {
        id: "bn-barren-pruning",
        section: "2.4",
        title: "Barren-node pruning",
        html: r#"<p>A query asks for the posterior of targets <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>Q</mi></math> given evidence <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>E</mi><mo>=</mo><mi>e</mi></math>. Keep the targets, the observed variables and their ancestors,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>R</mi><mo>=</mo><mi>Q</mi><mo>&#x222A;</mo><mi>E</mi><mo>&#x222A;</mo><mi>an</mi><mo>(</mo><mi>Q</mi><mo>&#x222A;</mo><mi>E</mi><mo>)</mo></math>
<p>and call the other variables barren. (1) <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>R</mi></math> contains the parents of its members, so its factors form a Bayesian network. (2) No barren variable has a child in <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>R</mi></math>: it would then be an ancestor of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>Q</mi><mo>&#x222A;</mo><mi>E</mi></math>. (3) So among the barren variables one has no barren child either: it is nobody's parent, and by 2.2 it sums out of the joint and vanishes. (4) Repeating until none is left,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>R</mi></msub><mo>)</mo><mo>=</mo><munder><mo>&#x220F;</mo><mrow><mi>k</mi><mo>&#x2208;</mo><mi>R</mi></mrow></munder><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo></math>
<p>so every posterior <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>Q</mi></msub><mo>&#x2223;</mo><mi>e</mi><mo>)</mo></math> is computed exactly on the pruned network. deepgm prunes before every exact and sampling-based query. Once the evidence is fixed it also answers each target from the connected part of what remains that contains it: any other part multiplies the joint by a factor free of the target, which cancels when the posterior is normalized.</p>"#,
        text: "A query asks for the posterior of targets Q given evidence E = e. Keep R = Q ∪ E ∪ an(Q ∪ E), the targets, the observed variables and their ancestors, and call the other variables barren. (1) R contains the parents of its members, so its factors form a Bayesian network. (2) No barren variable has a child in R: it would then be an ancestor of Q ∪ E. (3) So among the barren variables one has no barren child either: it is nobody's parent, and by 2.2 it sums out of the joint and vanishes. (4) Repeating until none is left, p(x_R) = ∏_{k in R} p(x_k ∣ pa_k), so every posterior p(x_Q ∣ e) is computed exactly on the pruned network. deepgm prunes before every exact and sampling-based query. Once the evidence is fixed it also answers each target from the connected part of what remains that contains it: any other part multiplies the joint by a factor free of the target, which cancels when the posterior is normalized.",
    },
    Step {
        id: "bn-ancestral-sampling",
        section: "2.5",
        title: "Ancestral sampling",
        html: r#"<p>Take a topological order (the order of 2.1 reversed: parents first) and draw each variable in turn from the row of its table selected by its already drawn parents. The probability of drawing an assignment <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math> is the product of the probabilities of its draws,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>P</mi><mo>(</mo><mtext>draw&#xA0;</mtext><mi>x</mi><mo>)</mo><mo>=</mo><munderover><mo>&#x220F;</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo><mo>=</mo><mi>p</mi><mo>(</mo><mi>x</mi><mo>)</mo></math>
<p>so each sample is an exact draw from the joint. deepgm draws each variable by the inverse cumulative distribution of its row, one uniform number per variable.</p>"#,
        text: "Take a topological order (the order of 2.1 reversed: parents first) and draw each variable in turn from the row of its table selected by its already drawn parents. The probability of drawing an assignment x is the product of the probabilities of its draws, P(draw x) = ∏_{k=1..K} p(x_k ∣ pa_k) = p(x), so each sample is an exact draw from the joint. deepgm draws each variable by the inverse cumulative distribution of its row, one uniform number per variable.",
    },
    Step {
        id: "bn-exact-inference",
        section: "2.6",
        title: "Exact inference",
        html: r#"<p class="completion"><strong>Completion.</strong> The source proves normalization only; deepgm answers queries exactly.</p>
<p>Fixing the evidence restricts each table <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>&#x3C6;</mi><mi>k</mi></msub></math> to the observed states, and with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>H</mi></math> the remaining hidden variables</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>Q</mi></msub><mo>,</mo><mi>e</mi><mo>)</mo><mo>=</mo><munder><mo>&#x2211;</mo><msub><mi>x</mi><mi>H</mi></msub></munder><munder><mo>&#x220F;</mo><mi>k</mi></munder><msub><mi>&#x3C6;</mi><mi>k</mi></msub><mo>,</mo><mspace width="2em"></mspace><munder><mo>&#x2211;</mo><mi>z</mi></munder><mi>&#x3C6;</mi><mspace width="0.2em"></mspace><mi>&#x3C8;</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi>&#x3C6;</mi><munder><mo>&#x2211;</mo><mi>z</mi></munder><mi>&#x3C8;</mi><mo>(</mo><mi>z</mi><mo>)</mo></math>
<p><strong>Variable elimination</strong> removes the hidden variables one at a time by the distributive law on the right (for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3C6;</mi></math> free of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>z</mi></math>): multiply the factors that mention the variable and sum it out. The order sets the size of the intermediate tables; deepgm takes the cheapest of the greedy min-fill, weighted min-fill and min-weight orders. Normalizing the last factor gives the posterior, and its total is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>P</mi><mo>(</mo><mi>e</mi><mo>)</mo></math>. A <strong>junction tree</strong> triangulates the moral graph with the same kind of order; its cliques exchange messages once towards a root and once back, after which each clique holds the joint of its variables with the evidence, and every posterior follows at once. Both compute the same sums of products, grouped differently, so they agree up to rounding. The most probable explanation replaces sums by maxima (<math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mo movablelimits="true">max</mo><mi>z</mi></msub><mi>&#x3C6;</mi><mi>&#x3C8;</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi>&#x3C6;</mi><msub><mo movablelimits="true">max</mo><mi>z</mi></msub><mi>&#x3C8;</mi><mo>(</mo><mi>z</mi><mo>)</mo></math> for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3C6;</mi><mo>&#x2265;</mo><mn>0</mn></math>) and traces the maximizing states back.</p>"#,
        text: "Completion: the source proves normalization only; deepgm answers queries exactly. Fixing the evidence restricts each table φ_k to the observed states, and with H the remaining hidden variables p(x_Q, e) = Σ_{x_H} ∏_k φ_k. Variable elimination removes the hidden variables one at a time by the distributive law Σ_z φ·ψ(z) = φ·Σ_z ψ(z) (for φ free of z): multiply the factors that mention the variable and sum it out. The order sets the size of the intermediate tables; deepgm takes the cheapest of the greedy min-fill, weighted min-fill and min-weight orders. Normalizing the last factor gives the posterior, and its total is P(e). A junction tree triangulates the moral graph with the same kind of order; its cliques exchange messages once towards a root and once back, after which each clique holds the joint of its variables with the evidence, and every posterior follows at once. Both compute the same sums of products, grouped differently, so they agree up to rounding. The most probable explanation replaces sums by maxima (max_z φ·ψ(z) = φ·max_z ψ(z) for φ ≥ 0) and traces the maximizing states back.",
    },
    Step {
        id: "bn-approximate-inference",
        section: "2.7",
        title: "Likelihood weighting and Gibbs sampling",
        html: r#"<p><em>Likelihood weighting</em> runs ancestral sampling with the observed variables clamped to their values and weights each sample by the probability of the evidence given its parents:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>w</mi><mo>=</mo><munder><mo>&#x220F;</mo><mrow><mi>k</mi><mo>&#x2208;</mo><mi>E</mi></mrow></munder><mi>p</mi><mo>(</mo><msub><mi>e</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo><mo>,</mo><mspace width="2em"></mspace><mi>&#x1D53C;</mi><mo>[</mo><mi>w</mi><mspace width="0.2em"></mspace><mi>&#x1D7D9;</mi><mo>[</mo><msub><mi>x</mi><mi>Q</mi></msub><mo>=</mo><mi>q</mi><mo>]</mo><mo>]</mo><mo>=</mo><mi>P</mi><mo>(</mo><mi>q</mi><mo>,</mo><mi>e</mi><mo>)</mo></math>
<p>so the mean weight is an unbiased estimate of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>P</mi><mo>(</mo><mi>e</mi><mo>)</mo></math>, and weighted frequencies estimate the posterior. <em>Gibbs sampling</em> resamples each unobserved variable from its distribution given all the others, which involves only its Markov blanket,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><mtext>rest</mtext><mo>)</mo><mo>&#x221D;</mo><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>k</mi></msub><mo>)</mo><munder><mo>&#x220F;</mo><mrow><mi>c</mi><mo>:</mo><msub><mi>x</mi><mi>k</mi></msub><mo>&#x2208;</mo><msub><mi>pa</mi><mi>c</mi></msub></mrow></munder><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>c</mi></msub><mo>&#x2223;</mo><msub><mi>pa</mi><mi>c</mi></msub><mo>)</mo></math>
<p>and the posterior is the chain's stationary distribution. deepgm resamples one variable, or a small block of variables jointly, at a time.</p>"#,
        text: "Likelihood weighting runs ancestral sampling with the observed variables clamped to their values and weights each sample by w = ∏_{k in E} p(e_k ∣ pa_k). Then E[w · 1[x_Q = q]] = P(q, e), so the mean weight is an unbiased estimate of P(e), and weighted frequencies estimate the posterior. Gibbs sampling resamples each unobserved variable from its distribution given all the others, which involves only its Markov blanket: p(x_k ∣ rest) ∝ p(x_k ∣ pa_k) · ∏_{c : x_k in pa_c} p(x_c ∣ pa_c), and the posterior is the chain's stationary distribution. deepgm resamples one variable, or a small block of variables jointly, at a time.",
    },
];

/// Problem 3, docs/derivations.md section 3.
static RBM: &[Step] = &[
    Step {
        id: "rbm-joint",
        section: "3.1",
        title: "The joint distribution",
        html: r#"<p>Visible units <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>v</mi><mo>&#x2208;</mo><msup><mrow><mo>{</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>}</mo></mrow><mi>D</mi></msup></math> and hidden units <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>h</mi><mo>&#x2208;</mo><msup><mrow><mo>{</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>}</mo></mrow><mi>P</mi></msup></math>, with weights <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>W</mi></math> (<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>D</mi><mo>&#x00D7;</mo><mi>P</mi></math>), visible biases <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>b</mi></math> and hidden biases <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math>, have the distribution</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><mi>v</mi><mo>,</mo><mi>h</mi><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mi>Z</mi></mfrac><mi>exp</mi><mo>(</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>W</mi><mi>h</mi><mo>+</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>b</mi><mo>+</mo><msup><mi>h</mi><mo>&#x22A4;</mo></msup><mi>a</mi><mo>)</mo><mo>,</mo><mspace width="2em"></mspace><mi>Z</mi><mo>=</mo><munder><mo>&#x2211;</mo><mi>v</mi></munder><munder><mo>&#x2211;</mo><mi>h</mi></munder><mi>exp</mi><mo>(</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>W</mi><mi>h</mi><mo>+</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>b</mi><mo>+</mo><msup><mi>h</mi><mo>&#x22A4;</mo></msup><mi>a</mi><mo>)</mo></math>
<p>that is <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mi>v</mi><mo>,</mo><mi>h</mi><mo>)</mo></mrow></msup><mo>/</mo><mi>Z</mi></math> with the energy <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>E</mi><mo>(</mo><mi>v</mi><mo>,</mo><mi>h</mi><mo>)</mo><mo>=</mo><mo>&#x2212;</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>W</mi><mi>h</mi><mo>&#x2212;</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>b</mi><mo>&#x2212;</mo><msup><mi>h</mi><mo>&#x22A4;</mo></msup><mi>a</mi></math>. There are no connections within a layer, which is what makes the conditionals factorize.</p>"#,
        text: "Visible units v in {0,1}^D and hidden units h in {0,1}^P, with weights W (D×P), visible biases b and hidden biases a, have the distribution p(v,h) = exp(vᵀWh + vᵀb + hᵀa) / Z, with Z = Σ_v Σ_h exp(vᵀWh + vᵀb + hᵀa); that is exp(−E(v,h))/Z with the energy E(v,h) = −vᵀWh − vᵀb − hᵀa. There are no connections within a layer, which is what makes the conditionals factorize.",
    },
    Step {
        id: "rbm-hidden-factorizes",
        section: "3.2",
        title: "The hidden units are independent given the visible ones",
        html: r#"<p>Write <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>u</mi><mo>=</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>+</mo><mi>a</mi></math>. Dividing the joint by <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo><mo>=</mo><msub><mo>&#x2211;</mo><msup><mi>h</mi><mo>&#x2032;</mo></msup></msub><mi>p</mi><mo>(</mo><mi>v</mi><mo>,</mo><msup><mi>h</mi><mo>&#x2032;</mo></msup><mo>)</mo></math>, the factors <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>1</mn><mo>/</mo><mi>Z</mi></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>e</mi><mrow><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>b</mi></mrow></msup></math> cancel:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><mi>h</mi><mo>&#x2223;</mo><mi>v</mi><mo>)</mo><mo>=</mo><mfrac><mrow><mi>p</mi><mo>(</mo><mi>v</mi><mo>,</mo><mi>h</mi><mo>)</mo></mrow><mrow><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo></mrow></mfrac><mo>=</mo><mfrac><msup><mi>e</mi><mrow><msup><mi>h</mi><mo>&#x22A4;</mo></msup><mi>u</mi></mrow></msup><mrow><munder><mo>&#x2211;</mo><msup><mi>h</mi><mo>&#x2032;</mo></msup></munder><msup><mi>e</mi><mrow><msup><mi>h</mi><mrow><mo>&#x2032;</mo><mo>&#x22A4;</mo></mrow></msup><mi>u</mi></mrow></msup></mrow></mfrac></math>
<p>The numerator is a product over the hidden units, and the sum over all <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mn>2</mn><mi>P</mi></msup></math> vectors of a product with one factor per coordinate is the product of the per-coordinate sums:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><munder><mo>&#x2211;</mo><msup><mi>h</mi><mo>&#x2032;</mo></msup></munder><munderover><mo>&#x220F;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><msup><mi>e</mi><mrow><msubsup><mi>h</mi><mi>j</mi><mo>&#x2032;</mo></msubsup><msub><mi>u</mi><mi>j</mi></msub></mrow></msup><mo>=</mo><munderover><mo>&#x220F;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mi>u</mi><mi>j</mi></msub></msup><mo>)</mo><mo>,</mo><mspace width="2em"></mspace><mi>p</mi><mo>(</mo><mi>h</mi><mo>&#x2223;</mo><mi>v</mi><mo>)</mo><mo>=</mo><munderover><mo>&#x220F;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><mfrac><msup><mi>e</mi><mrow><msub><mi>h</mi><mi>j</mi></msub><msub><mi>u</mi><mi>j</mi></msub></mrow></msup><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mi>u</mi><mi>j</mi></msub></msup></mrow></mfrac><mo>=</mo><munderover><mo>&#x220F;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><mi>p</mi><mo>(</mo><msub><mi>h</mi><mi>j</mi></msub><mo>&#x2223;</mo><mi>v</mi><mo>)</mo></math>
<p class="correction"><strong>Correction of the source.</strong> The source's first denominator is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>h</mi><mo>)</mo></math>; it must be <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo></math>, which is what the sum over <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>h</mi></math> it writes equals. The last line of that chain writes each factor as <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3C3;</mi><mo>(</mo><msub><mi>h</mi><mi>i</mi></msub><msub><mi>u</mi><mi>i</mi></msub><mo>)</mo></math>, which is right for <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>h</mi><mi>i</mi></msub><mo>=</mo><mn>1</mn></math> but gives <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>1</mn><mo>/</mo><mn>2</mn></math> for <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>h</mi><mi>i</mi></msub><mo>=</mo><mn>0</mn></math>; the factor is <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>e</mi><mrow><msub><mi>h</mi><mi>j</mi></msub><msub><mi>u</mi><mi>j</mi></msub></mrow></msup><mo>/</mo><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mi>u</mi><mi>j</mi></msub></msup><mo>)</mo><mo>=</mo><mi>&#x3C3;</mi><mo>(</mo><mo>(</mo><mn>2</mn><msub><mi>h</mi><mi>j</mi></msub><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><msub><mi>u</mi><mi>j</mi></msub><mo>)</mo></math>.</p>"#,
        text: "Write u = Wᵀv + a. Dividing the joint by p(v) = Σ_h' p(v,h'), the factors 1/Z and exp(vᵀb) cancel: p(h ∣ v) = p(v,h)/p(v) = exp(hᵀu) / Σ_h' exp(h'ᵀu). The numerator is a product over the hidden units, and the sum over all 2^P vectors of a product with one factor per coordinate is the product of the per-coordinate sums: Σ_h' ∏_j exp(h'_j u_j) = ∏_j (1 + exp(u_j)). Hence p(h ∣ v) = ∏_{j=1..P} exp(h_j u_j)/(1 + exp(u_j)) = ∏_j p(h_j ∣ v). Correction of the source: its first denominator is p(h); it must be p(v), which is what the sum over h it writes equals. The last line of that chain writes each factor as σ(h_i u_i), which is right for h_i = 1 but gives 1/2 for h_i = 0; the factor is exp(h_j u_j)/(1 + exp(u_j)) = σ((2h_j − 1) u_j).",
    },
    Step {
        id: "rbm-hidden-conditional",
        section: "3.3",
        title: "Each hidden unit is a logistic unit",
        html: r#"<p>Summing <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>h</mi><mo>&#x2223;</mo><mi>v</mi><mo>)</mo></math> over the other hidden units with <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>h</mi><mi>j</mi></msub><mo>=</mo><mn>1</mn></math>, every other factor sums to 1 over its two values, and</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><msub><mi>h</mi><mi>j</mi></msub><mo>=</mo><mn>1</mn><mo>&#x2223;</mo><mi>v</mi><mo>)</mo><mo>=</mo><mfrac><msup><mi>e</mi><msub><mi>u</mi><mi>j</mi></msub></msup><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mi>u</mi><mi>j</mi></msub></msup></mrow></mfrac><mo>=</mo><mi>&#x3C3;</mi><msub><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mi>j</mi></msub><mo>,</mo><mspace width="2em"></mspace><mi>&#x3C3;</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>x</mi></mrow></msup></mrow></mfrac></math>
<p class="correction"><strong>Correction of the source.</strong> The source concludes <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><msub><mi>h</mi><mi>j</mi></msub><mo>&#x2223;</mo><mi>v</mi><mo>)</mo><mo>=</mo><mi>&#x3C3;</mi><mo>(</mo><msub><mi>h</mi><mi>j</mi></msub><msub><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>+</mo><mn>1</mn><mo>)</mo></mrow><mi>j</mi></msub><mo>)</mo></math>: the bias is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math>, not 1 (and the formula is for <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>h</mi><mi>j</mi></msub><mo>=</mo><mn>1</mn></math>). Its final line reads <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>v</mi><mo>,</mo><mi>h</mi><mo>)</mo><mo>=</mo><msub><mo>&#x220F;</mo><mi>j</mi></msub><mi>p</mi><mo>(</mo><msub><mi>h</mi><mi>j</mi></msub><mo>&#x2223;</mo><mi>v</mi><mo>)</mo></math>; the result is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>h</mi><mo>&#x2223;</mo><mi>v</mi><mo>)</mo><mo>=</mo><msub><mo>&#x220F;</mo><mi>j</mi></msub><mi>p</mi><mo>(</mo><msub><mi>h</mi><mi>j</mi></msub><mo>&#x2223;</mo><mi>v</mi><mo>)</mo></math>.</p>"#,
        text: "Summing p(h ∣ v) over the other hidden units with h_j = 1, every other factor sums to 1 over its two values, and p(h_j = 1 ∣ v) = exp(u_j)/(1 + exp(u_j)) = σ((Wᵀv + a)_j), with σ(x) = 1/(1 + exp(−x)). Correction of the source: it concludes p(h_j ∣ v) = σ(h_j (Wᵀv + 1)_j); the bias is a, not 1 (and the formula is for h_j = 1). Its final line reads p(v,h) = ∏_j p(h_j ∣ v); the result is p(h ∣ v) = ∏_j p(h_j ∣ v).",
    },
    Step {
        id: "rbm-visible-conditional",
        section: "3.4",
        title: "The visible units, by symmetry",
        html: r#"<p class="completion"><strong>Completion.</strong> The source derives the hidden side only; block Gibbs sampling needs both.</p>
<p>The energy is symmetric in the two layers, with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>W</mi></math> replaced by <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>W</mi><mo>&#x22A4;</mo></msup></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math> by <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>b</mi></math>. The steps of 3.2 and 3.3 with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>w</mi><mo>=</mo><mi>W</mi><mi>h</mi><mo>+</mo><mi>b</mi></math> give</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><mi>v</mi><mo>&#x2223;</mo><mi>h</mi><mo>)</mo><mo>=</mo><munderover><mo>&#x220F;</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>D</mi></munderover><mi>p</mi><mo>(</mo><msub><mi>v</mi><mi>i</mi></msub><mo>&#x2223;</mo><mi>h</mi><mo>)</mo><mo>,</mo><mspace width="2em"></mspace><mi>p</mi><mo>(</mo><msub><mi>v</mi><mi>i</mi></msub><mo>=</mo><mn>1</mn><mo>&#x2223;</mo><mi>h</mi><mo>)</mo><mo>=</mo><mi>&#x3C3;</mi><msub><mrow><mo>(</mo><mi>W</mi><mi>h</mi><mo>+</mo><mi>b</mi><mo>)</mo></mrow><mi>i</mi></msub></math>"#,
        text: "Completion: the source derives the hidden side only; block Gibbs sampling needs both. The energy is symmetric in the two layers, with W replaced by Wᵀ and a by b. The steps of 3.2 and 3.3 with w = Wh + b give p(v ∣ h) = ∏_{i=1..D} p(v_i ∣ h) and p(v_i = 1 ∣ h) = σ((Wh + b)_i).",
    },
    Step {
        id: "rbm-free-energy",
        section: "3.5",
        title: "The free energy",
        html: r#"<p class="completion"><strong>Completion.</strong> Scoring a model needs <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo></math> with the hidden units summed out.</p>
<p>The product of 3.2 sums out the hidden layer:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo><mo>=</mo><munder><mo>&#x2211;</mo><mi>h</mi></munder><mi>p</mi><mo>(</mo><mi>v</mi><mo>,</mo><mi>h</mi><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mi>Z</mi></mfrac><msup><mi>e</mi><mrow><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>b</mi></mrow></msup><munderover><mo>&#x220F;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mi>u</mi><mi>j</mi></msub></msup><mo>)</mo><mo>=</mo><mfrac><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>F</mi><mo>(</mo><mi>v</mi><mo>)</mo></mrow></msup><mi>Z</mi></mfrac><mo>,</mo><mspace width="2em"></mspace><mi>F</mi><mo>(</mo><mi>v</mi><mo>)</mo><mo>=</mo><mo>&#x2212;</mo><msup><mi>v</mi><mo>&#x22A4;</mo></msup><mi>b</mi><mo>&#x2212;</mo><munderover><mo>&#x2211;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><mi>softplus</mi><msub><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mi>j</mi></msub></math>
<p>with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>softplus</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><mi>log</mi><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><mi>x</mi></msup><mo>)</mo></math>. deepgm evaluates it as <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>max</mi><mo>(</mo><mi>x</mi><mo>,</mo><mn>0</mn><mo>)</mo><mo>+</mo><mi>log</mi><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mo>&#x2223;</mo><mi>x</mi><mo>&#x2223;</mo></mrow></msup><mo>)</mo></math>, the same value, which never overflows.</p>"#,
        text: "Completion: scoring a model needs p(v) with the hidden units summed out. The product of 3.2 sums out the hidden layer: p(v) = Σ_h p(v,h) = exp(vᵀb) · ∏_{j=1..P} (1 + exp(u_j)) / Z = exp(−F(v))/Z, with the free energy F(v) = −vᵀb − Σ_{j=1..P} softplus((Wᵀv + a)_j) and softplus(x) = log(1 + exp(x)). deepgm evaluates it as max(x, 0) + log(1 + exp(−abs(x))), the same value, which never overflows.",
    },
    Step {
        id: "rbm-exact-log-z",
        section: "3.6",
        title: "The exact partition function",
        html: r#"<p>Summing <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>F</mi><mo>(</mo><mi>v</mi><mo>)</mo></mrow></msup></math> over the visible layer gives <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>Z</mi></math> in <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mn>2</mn><mi>D</mi></msup></math> terms; by the symmetry of 3.4 the visible layer can be summed out instead, leaving <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mn>2</mn><mi>P</mi></msup></math> terms:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>Z</mi><mo>=</mo><munder><mo>&#x2211;</mo><mi>v</mi></munder><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>F</mi><mo>(</mo><mi>v</mi><mo>)</mo></mrow></msup><mo>=</mo><munder><mo>&#x2211;</mo><mi>h</mi></munder><msup><mi>e</mi><mrow><msup><mi>h</mi><mo>&#x22A4;</mo></msup><mi>a</mi></mrow></msup><munderover><mo>&#x220F;</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>D</mi></munderover><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mrow><mo>(</mo><mi>W</mi><mi>h</mi><mo>+</mo><mi>b</mi><mo>)</mo></mrow><mi>i</mi></msub></msup><mo>)</mo></math>
<p>deepgm enumerates the smaller layer in float64 and adds the terms as a log-sum-exp, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>log</mi><msub><mo>&#x2211;</mo><mi>s</mi></msub><msup><mi>e</mi><msub><mi>t</mi><mi>s</mi></msub></msup><mo>=</mo><mi>T</mi><mo>+</mo><mi>log</mi><msub><mo>&#x2211;</mo><mi>s</mi></msub><msup><mi>e</mi><mrow><msub><mi>t</mi><mi>s</mi></msub><mo>&#x2212;</mo><mi>T</mi></mrow></msup></math> with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>T</mi><mo>=</mo><msub><mo movablelimits="true">max</mo><mi>s</mi></msub><msub><mi>t</mi><mi>s</mi></msub></math>. It visits the configurations in Gray-code order, so that consecutive ones differ in one unit and the other layer's inputs change by one column of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>W</mi></math>. This is practical up to about 25 units in the smaller layer.</p>"#,
        text: "Summing exp(−F(v)) over the visible layer gives Z in 2^D terms; by the symmetry of 3.4 the visible layer can be summed out instead, leaving 2^P terms: Z = Σ_v exp(−F(v)) = Σ_h exp(hᵀa) · ∏_{i=1..D} (1 + exp((Wh + b)_i)). deepgm enumerates the smaller layer in float64 and adds the terms as a log-sum-exp, log Σ_s exp(t_s) = T + log Σ_s exp(t_s − T) with T = max_s t_s. It visits the configurations in Gray-code order, so that consecutive ones differ in one unit and the other layer's inputs change by one column of W. This is practical up to about 25 units in the smaller layer.",
    },
    Step {
        id: "rbm-ais",
        section: "3.7",
        title: "Annealed importance sampling of log Z",
        html: r#"<p class="completion"><strong>Completion.</strong> For larger models deepgm estimates <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>log</mi><mi>Z</mi></math> by annealed importance sampling, as Salakhutdinov and Murray (2008) do.</p>
<p>With the visible biases <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>b</mi><mi>A</mi></msub></math> of a base model without weights and inverse temperatures <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>0</mn><mo>=</mo><msub><mi>&#x3B2;</mi><mn>0</mn></msub><mo>&lt;</mo><mo>&#x2026;</mo><mo>&lt;</mo><msub><mi>&#x3B2;</mi><mi>K</mi></msub><mo>=</mo><mn>1</mn></math>, the intermediate unnormalized distributions are</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msubsup><mi>p</mi><mi>k</mi><mo>&#x2217;</mo></msubsup><mo>(</mo><mi>v</mi><mo>)</mo><mo>=</mo><mi>exp</mi><mo>(</mo><mo>(</mo><mn>1</mn><mo>&#x2212;</mo><msub><mi>&#x3B2;</mi><mi>k</mi></msub><mo>)</mo><msubsup><mi>b</mi><mi>A</mi><mo>&#x22A4;</mo></msubsup><mi>v</mi><mo>+</mo><msub><mi>&#x3B2;</mi><mi>k</mi></msub><msup><mi>b</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>)</mo><munderover><mo>&#x220F;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>P</mi></munderover><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><msub><mi>&#x3B2;</mi><mi>k</mi></msub><msub><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mi>j</mi></msub></mrow></msup><mo>)</mo></math>
<p>from the base model, whose <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>Z</mi><mn>0</mn></msub><mo>=</mo><msup><mn>2</mn><mi>P</mi></msup><msub><mo>&#x220F;</mo><mi>i</mi></msub><mo>(</mo><mn>1</mn><mo>+</mo><msup><mi>e</mi><msub><mi>b</mi><mrow><mi>A</mi><mo>,</mo><mi>i</mi></mrow></msub></msup><mo>)</mo></math> is exact, to the RBM. Each run draws <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>v</mi><mn>0</mn></msub></math> from the base model, then for each <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>k</mi></math> adds <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>log</mi><msubsup><mi>p</mi><mi>k</mi><mo>&#x2217;</mo></msubsup><mo>(</mo><msub><mi>v</mi><mrow><mi>k</mi><mo>&#x2212;</mo><mn>1</mn></mrow></msub><mo>)</mo><mo>&#x2212;</mo><mi>log</mi><msubsup><mi>p</mi><mrow><mi>k</mi><mo>&#x2212;</mo><mn>1</mn></mrow><mo>&#x2217;</mo></msubsup><mo>(</mo><msub><mi>v</mi><mrow><mi>k</mi><mo>&#x2212;</mo><mn>1</mn></mrow></msub><mo>)</mo></math> to its log-weight and takes one block Gibbs step that leaves <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>p</mi><mi>k</mi></msub></math> invariant. The expected weight is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>Z</mi><mo>/</mo><msub><mi>Z</mi><mn>0</mn></msub></math>, so <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>log</mi><mi>Z</mi><mo>&#x2248;</mo><mi>log</mi><msub><mi>Z</mi><mn>0</mn></msub><mo>+</mo><mi>log</mi><mover><mi>w</mi><mo>&#x00AF;</mo></mover></math>, reported with a band of 3 standard errors of the mean weight.</p>"#,
        text: "Completion: for larger models deepgm estimates log Z by annealed importance sampling, as Salakhutdinov and Murray (2008) do. With the visible biases b_A of a base model without weights and inverse temperatures 0 = β_0, β_1, …, β_K = 1 (increasing), the intermediate unnormalized distributions p̃_k(v) = exp((1 − β_k) b_Aᵀv + β_k bᵀv) · ∏_{j=1..P} (1 + exp(β_k (Wᵀv + a)_j)) go from the base model, whose Z_0 = 2^P · ∏_i (1 + exp(b_A,i)) is exact, to the RBM. Each run draws v_0 from the base model, then for each k adds log p̃_k(v_{k−1}) − log p̃_{k−1}(v_{k−1}) to its log-weight and takes one block Gibbs step that leaves p_k invariant. The expected weight is Z/Z_0, so log Z ≈ log Z_0 + log(mean weight), reported with a band of 3 standard errors of the mean weight.",
    },
    Step {
        id: "rbm-cd-gradient",
        section: "3.8",
        title: "The log-likelihood gradient and contrastive divergence",
        html: r#"<p class="completion"><strong>Completion.</strong> The source does not train the model; deepgm trains it by CD-k and persistent CD.</p>
<p>From 3.5, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>log</mi><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo><mo>=</mo><mo>&#x2212;</mo><mi>F</mi><mo>(</mo><mi>v</mi><mo>)</mo><mo>&#x2212;</mo><mi>log</mi><mi>Z</mi></math>. The first term's derivative in <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>W</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub></math> is <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>v</mi><mi>i</mi></msub><mi>&#x3C3;</mi><mo>(</mo><msub><mi>u</mi><mi>j</mi></msub><mo>)</mo></math>, and the second's is the same quantity averaged over the model, so</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mfrac><mrow><mo>&#x2202;</mo><mi>log</mi><mi>p</mi><mo>(</mo><mi>v</mi><mo>)</mo></mrow><mrow><mo>&#x2202;</mo><mi>W</mi></mrow></mfrac><mo>=</mo><mi>v</mi><mspace width="0.2em"></mspace><mi>&#x3C3;</mi><msup><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><mi>v</mi><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mo>&#x22A4;</mo></msup><mo>&#x2212;</mo><msub><mi>&#x1D53C;</mi><mrow><msup><mi>v</mi><mo>&#x2032;</mo></msup><mo>&#x223C;</mo><mi>p</mi></mrow></msub><mrow><mo>[</mo><msup><mi>v</mi><mo>&#x2032;</mo></msup><mspace width="0.2em"></mspace><mi>&#x3C3;</mi><msup><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><msup><mi>v</mi><mo>&#x2032;</mo></msup><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mo>&#x22A4;</mo></msup><mo>]</mo></mrow></math>
<p>and likewise <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>v</mi><mo>&#x2212;</mo><mi>&#x1D53C;</mi><mo>[</mo><msup><mi>v</mi><mo>&#x2032;</mo></msup><mo>]</mo></math> for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>b</mi></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3C3;</mi><mo>(</mo><mi>u</mi><mo>(</mo><mi>v</mi><mo>)</mo><mo>)</mo><mo>&#x2212;</mo><mi>&#x1D53C;</mi><mo>[</mo><mi>&#x3C3;</mi><mo>(</mo><mi>u</mi><mo>(</mo><msup><mi>v</mi><mo>&#x2032;</mo></msup><mo>)</mo><mo>)</mo><mo>]</mo></math> for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math>. CD-k replaces the model average, a sum of <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mn>2</mn><mi>D</mi></msup></math> terms, by the state <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>v</mi><mrow><mo>(</mo><mi>k</mi><mo>)</mo></mrow></msup></math> reached by <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>k</mi></math> block Gibbs steps (3.3, then 3.4) from the data <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>v</mi><mrow><mo>(</mo><mn>0</mn><mo>)</mo></mrow></msup></math>; over a minibatch of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>N</mi></math> examples with learning rate <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3F5;</mi></math>,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>&#x394;</mi><mi>W</mi><mo>=</mo><mfrac><mi>&#x3F5;</mi><mi>N</mi></mfrac><munderover><mo>&#x2211;</mo><mrow><mi>n</mi><mo>=</mo><mn>1</mn></mrow><mi>N</mi></munderover><mrow><mo>(</mo><msubsup><mi>v</mi><mi>n</mi><mrow><mo>(</mo><mn>0</mn><mo>)</mo></mrow></msubsup><mi>&#x3C3;</mi><msup><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><msubsup><mi>v</mi><mi>n</mi><mrow><mo>(</mo><mn>0</mn><mo>)</mo></mrow></msubsup><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mo>&#x22A4;</mo></msup><mo>&#x2212;</mo><msubsup><mi>v</mi><mi>n</mi><mrow><mo>(</mo><mi>k</mi><mo>)</mo></mrow></msubsup><mi>&#x3C3;</mi><msup><mrow><mo>(</mo><msup><mi>W</mi><mo>&#x22A4;</mo></msup><msubsup><mi>v</mi><mi>n</mi><mrow><mo>(</mo><mi>k</mi><mo>)</mo></mrow></msubsup><mo>+</mo><mi>a</mi><mo>)</mo></mrow><mo>&#x22A4;</mo></msup><mo>)</mo></mrow></math>
<p>with the same form for the biases. The exact hidden probabilities replace sampled hidden states in these statistics, which lowers the variance. Persistent CD carries the chains from one minibatch to the next instead of restarting them at the data; deepgm adds momentum and an L2 weight decay on <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>W</mi></math>.</p>"#,
        text: "Completion: the source does not train the model; deepgm trains it by CD-k and persistent CD. From 3.5, log p(v) = −F(v) − log Z. The first term's derivative in W_ij is v_i σ(u_j), and the second's is the same quantity averaged over the model, so ∂ log p(v)/∂W = v σ(Wᵀv + a)ᵀ − E_{v' ∼ p}[v' σ(Wᵀv' + a)ᵀ], and likewise v − E[v'] for b and σ(u(v)) − E[σ(u(v'))] for a. CD-k replaces the model average, a sum of 2^D terms, by the state v(k) reached by k block Gibbs steps (3.3, then 3.4) from the data v(0); over a minibatch of N examples with learning rate ε, ΔW = (ε/N) Σ_{n=1..N} (v_n(0) σ(Wᵀv_n(0) + a)ᵀ − v_n(k) σ(Wᵀv_n(k) + a)ᵀ), with the same form for the biases. The exact hidden probabilities replace sampled hidden states in these statistics, which lowers the variance. Persistent CD carries the chains from one minibatch to the next instead of restarting them at the data; deepgm adds momentum and an L2 weight decay on W.",
    },
];

/// Problem 4, docs/derivations.md section 4.
static MRF: &[Step] = &[
    Step {
        id: "mrf-energy",
        section: "4",
        title: "The Ising model",
        html: r#"<p>A noisy black-and-white image <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>y</mi><mo>&#x2208;</mo><msup><mrow><mo>{</mo><mo>&#x2212;</mo><mn>1</mn><mo>,</mo><mo>+</mo><mn>1</mn><mo>}</mo></mrow><mi>N</mi></msup></math> is observed and the clean image <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math> of the same form is latent. Pixels are neighbours when adjacent left, right, above or below (deepgm also offers the 8-neighbourhood); <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>N</mi><mo>(</mo><mi>m</mi><mo>)</mo></math> is the set of neighbours of pixel <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi></math>, fewer on the border. Counting each neighbouring pair <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi><mo>&#x223C;</mo><mi>j</mi></math> once (Bishop, PRML 8.3.3):</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><mi>h</mi><munder><mo>&#x2211;</mo><mi>i</mi></munder><msub><mi>x</mi><mi>i</mi></msub><mo>&#x2212;</mo><mi>&#x3B2;</mi><munder><mo>&#x2211;</mo><mrow><mi>i</mi><mo>&#x223C;</mo><mi>j</mi></mrow></munder><msub><mi>x</mi><mi>i</mi></msub><msub><mi>x</mi><mi>j</mi></msub><mo>&#x2212;</mo><mi>&#x3B7;</mi><munder><mo>&#x2211;</mo><mi>i</mi></munder><msub><mi>x</mi><mi>i</mi></msub><msub><mi>y</mi><mi>i</mi></msub><mo>,</mo><mspace width="2em"></mspace><mi>p</mi><mo>(</mo><mi>x</mi><mo>&#x2223;</mo><mi>y</mi><mo>)</mo><mo>&#x221D;</mo><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo></mrow></msup></math>
<p>A positive <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi></math> favours equal neighbours, a positive <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B7;</mi></math> agreement with the observation, and a positive <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>h</mi></math> the value <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2212;</mo><mn>1</mn></math>. deepgm's defaults are Bishop's: <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>h</mi><mo>=</mo><mn>0</mn></math>, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi><mo>=</mo><mn>1</mn></math>, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B7;</mi><mo>=</mo><mn>2.1</mn></math>.</p>"#,
        text: "A noisy black-and-white image y in {−1,+1}^N is observed and the clean image x of the same form is latent. Pixels are neighbours when adjacent left, right, above or below (deepgm also offers the 8-neighbourhood); N(m) is the set of neighbours of pixel m, fewer on the border. Counting each neighbouring pair i∼j once (Bishop, PRML 8.3.3): E(x,y) = h Σ_i x_i − β Σ_{i∼j} x_i x_j − η Σ_i x_i y_i, and p(x ∣ y) ∝ exp(−E(x,y)). A positive β favours equal neighbours, a positive η agreement with the observation, and a positive h the value −1. deepgm's defaults are Bishop's: h = 0, β = 1, η = 2.1.",
    },
    Step {
        id: "mrf-local-difference",
        section: "4.1",
        title: "The local energy difference",
        html: r#"<p>Split the energy into the terms that contain <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>m</mi></msub></math> and a rest <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>R</mi></math> free of it. Each pair is counted once, so the pairs that contain <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi></math> are exactly <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>{</mo><mi>m</mi><mo>,</mo><mi>j</mi><mo>}</mo></math> with <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>j</mi><mo>&#x2208;</mo><mi>N</mi><mo>(</mo><mi>m</mi><mo>)</mo></math>:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><msub><mi>x</mi><mi>m</mi></msub><mrow><mo>(</mo><mi>h</mi><mo>&#x2212;</mo><mi>&#x3B2;</mi><munder><mo>&#x2211;</mo><mrow><mi>j</mi><mo>&#x2208;</mo><mi>N</mi><mo>(</mo><mi>m</mi><mo>)</mo></mrow></munder><msub><mi>x</mi><mi>j</mi></msub><mo>&#x2212;</mo><mi>&#x3B7;</mi><msub><mi>y</mi><mi>m</mi></msub><mo>)</mo></mrow><mo>+</mo><mi>R</mi></math>
<p>Setting <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>m</mi></msub><mo>=</mo><mo>+</mo><mn>1</mn></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>m</mi></msub><mo>=</mo><mo>&#x2212;</mo><mn>1</mn></math> with everything else fixed and subtracting, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>R</mi></math> cancels:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>=</mo><mi>E</mi><mo>(</mo><msub><mi>x</mi><mi>m</mi></msub><mo>=</mo><mo>+</mo><mn>1</mn><mo>,</mo><mtext>rest</mtext><mo>)</mo><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><msub><mi>x</mi><mi>m</mi></msub><mo>=</mo><mo>&#x2212;</mo><mn>1</mn><mo>,</mo><mtext>rest</mtext><mo>)</mo><mo>=</mo><mn>2</mn><mi>h</mi><mo>&#x2212;</mo><mn>2</mn><mi>&#x3B2;</mi><munder><mo>&#x2211;</mo><mrow><mi>j</mi><mo>&#x2208;</mo><mi>N</mi><mo>(</mo><mi>m</mi><mo>)</mo></mrow></munder><msub><mi>x</mi><mi>j</mi></msub><mo>&#x2212;</mo><mn>2</mn><mi>&#x3B7;</mi><msub><mi>y</mi><mi>m</mi></msub></math>
<p>It depends only on the neighbours of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi></math> and on <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>y</mi><mi>m</mi></msub></math>, not on any other pixel nor on the current value of <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>m</mi></msub></math>.</p>
<p class="completion"><strong>Completion.</strong> The source's sum over <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi><mo>&#x2260;</mo><mi>m</mi><mo>,</mo><mi>j</mi><mo>&#x2260;</mo><mi>m</mi></math> stands for the neighbouring pairs without <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>m</mi></math>, and its local set is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>N</mi><mo>(</mo><mi>m</mi><mo>)</mo></math>. Counting each pair once matters: a sum over ordered pairs would count every pair twice and double the <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi></math> term.</p>"#,
        text: "Split the energy into the terms that contain x_m and a rest R free of it. Each pair is counted once, so the pairs that contain m are exactly {m, j} with j in N(m): E(x,y) = x_m · (h − β Σ_{j in N(m)} x_j − η y_m) + R. Setting x_m = +1 and x_m = −1 with everything else fixed and subtracting, R cancels: ΔE_m = E(x_m = +1, rest) − E(x_m = −1, rest) = 2h − 2β Σ_{j in N(m)} x_j − 2η y_m. It depends only on the neighbours of m and on y_m, not on any other pixel nor on the current value of x_m. Completion: the source's sum over i ≠ m, j ≠ m stands for the neighbouring pairs without m, and its local set is N(m). Counting each pair once matters: a sum over ordered pairs would count every pair twice and double the β term.",
    },
    Step {
        id: "mrf-beta-h-zero",
        section: "4.2",
        title: "The case beta = h = 0",
        html: r#"<p>With <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi><mo>=</mo><mi>h</mi><mo>=</mo><mn>0</mn></math> the energy <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><mo>&#x2212;</mo><mi>&#x3B7;</mi><msub><mo>&#x2211;</mo><mi>i</mi></msub><msub><mi>x</mi><mi>i</mi></msub><msub><mi>y</mi><mi>i</mi></msub></math> has one term per pixel, so it is minimized pixel by pixel. For <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B7;</mi><mo>&gt;</mo><mn>0</mn></math> the term <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2212;</mo><mi>&#x3B7;</mi><msub><mi>x</mi><mi>i</mi></msub><msub><mi>y</mi><mi>i</mi></msub></math> is <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2212;</mo><mi>&#x3B7;</mi></math> when <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>i</mi></msub><mo>=</mo><msub><mi>y</mi><mi>i</mi></msub></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>+</mo><mi>&#x3B7;</mi></math> otherwise, so the unique minimum, and the most probable configuration since <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>p</mi><mo>(</mo><mi>x</mi><mo>&#x2223;</mo><mi>y</mi><mo>)</mo></math> decreases with the energy, is</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>x</mi><mo>=</mo><mi>y</mi><mo>,</mo><mspace width="2em"></mspace><mi>E</mi><mo>=</mo><mo>&#x2212;</mo><mi>&#x3B7;</mi><mi>N</mi></math>
<p class="completion"><strong>Completion.</strong> The source takes <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B7;</mi><mo>&gt;</mo><mn>0</mn></math> for granted. For <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B7;</mi><mo>&lt;</mo><mn>0</mn></math> the minimum is <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi><mo>=</mo><mo>&#x2212;</mo><mi>y</mi></math>, and for <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B7;</mi><mo>=</mo><mn>0</mn></math> every configuration has energy 0.</p>"#,
        text: "With β = h = 0 the energy E(x,y) = −η Σ_i x_i y_i has one term per pixel, so it is minimized pixel by pixel. For positive η the term −η x_i y_i is −η when x_i = y_i and +η otherwise, so the unique minimum, and the most probable configuration since p(x ∣ y) decreases with the energy, is x = y, with E = −ηN. Completion: the source takes positive η for granted; for negative η the minimum is x = −y, and for η = 0 every configuration has energy 0.",
    },
    Step {
        id: "mrf-icm",
        section: "4.3",
        title: "Iterated conditional modes",
        html: r#"<p>By 4.1 the better value of one pixel given all the others is a local decision:</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msub><mi>x</mi><mi>m</mi></msub><mo>&#x2190;</mo><mrow><mo>{</mo><mtable><mtr><mtd><mo>+</mo><mn>1</mn></mtd><mtd><mtext>if&#xA0;</mtext><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>&lt;</mo><mn>0</mn></mtd></mtr><mtr><mtd><mo>&#x2212;</mo><mn>1</mn></mtd><mtd><mtext>if&#xA0;</mtext><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>&gt;</mo><mn>0</mn></mtd></mtr><mtr><mtd><msub><mi>x</mi><mi>m</mi></msub></mtd><mtd><mtext>if&#xA0;</mtext><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>=</mo><mn>0</mn></mtd></mtr></mtable></mrow></math>
<p>Each change lowers the energy by <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2223;</mo><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>&#x2223;</mo><mo>&gt;</mo><mn>0</mn></math>, and the energy takes finitely many values, so sweeping until a sweep changes nothing terminates, at a configuration that no single-pixel change improves: a local minimum. deepgm sweeps in raster order, or updates all pixels of one checkerboard colour at once (2 colours for the 4-neighbourhood, 4 for the 8-neighbourhood), which is valid because pixels of one colour are not neighbours.</p>"#,
        text: "By 4.1 the better value of one pixel given all the others is a local decision: x_m becomes +1 if ΔE_m is negative, −1 if ΔE_m is positive, and stays as it is if ΔE_m = 0. Each change lowers the energy by abs(ΔE_m), which is positive, and the energy takes finitely many values, so sweeping until a sweep changes nothing terminates, at a configuration that no single-pixel change improves: a local minimum. deepgm sweeps in raster order, or updates all pixels of one checkerboard colour at once (2 colours for the 4-neighbourhood, 4 for the 8-neighbourhood), which is valid because pixels of one colour are not neighbours.",
    },
    Step {
        id: "mrf-gibbs",
        section: "4.4",
        title: "Gibbs sampling and simulated annealing",
        html: r#"<p>At temperature <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>T</mi></math> the distribution is <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>p</mi><mi>T</mi></msub><mo>(</mo><mi>x</mi><mo>&#x2223;</mo><mi>y</mi><mo>)</mo><mo>&#x221D;</mo><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>/</mo><mi>T</mi></mrow></msup></math>. One pixel's conditional given the rest has two values; dividing by <math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mo>+</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>T</mi></mrow></msup></math>,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>p</mi><mo>(</mo><msub><mi>x</mi><mi>m</mi></msub><mo>=</mo><mo>+</mo><mn>1</mn><mo>&#x2223;</mo><mtext>rest</mtext><mo>)</mo><mo>=</mo><mfrac><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mo>+</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>T</mi></mrow></msup><mrow><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mo>+</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>T</mi></mrow></msup><mo>+</mo><msup><mi>e</mi><mrow><mo>&#x2212;</mo><mi>E</mi><mo>(</mo><mo>&#x2212;</mo><mn>1</mn><mo>)</mo><mo>/</mo><mi>T</mi></mrow></msup></mrow></mfrac><mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>/</mo><mi>T</mi></mrow></msup></mrow></mfrac><mo>=</mo><mi>&#x3C3;</mi><mrow><mo>(</mo><mo>&#x2212;</mo><mfrac><mrow><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub></mrow><mi>T</mi></mfrac><mo>)</mo></mrow></math>
<p>which is local by 4.1. A Gibbs sweep resamples every pixel from it; <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>p</mi><mi>T</mi></msub></math> is the chain's stationary distribution, and deepgm outputs each pixel's majority value after burn-in. As <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>T</mi><mo>&#x2192;</mo><mn>0</mn></math> the conditional becomes the decision of 4.3. Simulated annealing lowers <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>T</mi></math> geometrically (from 4 to 0.05 by default) and finishes with ICM.</p>"#,
        text: "At temperature T the distribution is p_T(x ∣ y) ∝ exp(−E(x,y)/T). One pixel's conditional given the rest has two values; dividing by exp(−E(+1)/T), p(x_m = +1 ∣ rest) = exp(−E(+1)/T) / (exp(−E(+1)/T) + exp(−E(−1)/T)) = 1/(1 + exp(ΔE_m/T)) = σ(−ΔE_m/T), which is local by 4.1. A Gibbs sweep resamples every pixel from it; p_T is the chain's stationary distribution, and deepgm outputs each pixel's majority value after burn-in. As T goes to 0 the conditional becomes the decision of 4.3. Simulated annealing lowers T geometrically (from 4 to 0.05 by default) and finishes with ICM.",
    },
    Step {
        id: "mrf-mean-field",
        section: "4.5",
        title: "Mean field",
        html: r#"<p>A fully factorized <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>q</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><msub><mo>&#x220F;</mo><mi>i</mi></msub><msub><mi>q</mi><mi>i</mi></msub><mo>(</mo><msub><mi>x</mi><mi>i</mi></msub><mo>)</mo></math> with means <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>&#x3BC;</mi><mi>i</mi></msub><mo>=</mo><msub><mi>&#x1D53C;</mi><mi>q</mi></msub><mo>[</mo><msub><mi>x</mi><mi>i</mi></msub><mo>]</mo></math> minimizes <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>KL</mi><mo>(</mo><mi>q</mi><mo>&#x2225;</mo><msub><mi>p</mi><mi>T</mi></msub><mo>)</mo></math> in one factor, the others fixed, when <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>q</mi><mi>m</mi></msub><mo>(</mo><msub><mi>x</mi><mi>m</mi></msub><mo>)</mo><mo>&#x221D;</mo><mi>exp</mi><mo>(</mo><mo>&#x2212;</mo><msub><mi>&#x1D53C;</mi><mi>q</mi></msub><mo>[</mo><mi>E</mi><mo>&#x2223;</mo><msub><mi>x</mi><mi>m</mi></msub><mo>]</mo><mo>/</mo><mi>T</mi><mo>)</mo></math>. The energy is linear in each neighbour, so the expectation puts the means in place of the neighbours in 4.4: <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>q</mi><mi>m</mi></msub><mo>(</mo><mo>+</mo><mn>1</mn><mo>)</mo><mo>=</mo><mi>&#x3C3;</mi><mo>(</mo><mo>&#x2212;</mo><mi>&#x394;</mi><msub><mi>E</mi><mi>m</mi></msub><mo>(</mo><mi>&#x3BC;</mi><mo>)</mo><mo>/</mo><mi>T</mi><mo>)</mo></math>, and since <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>2</mn><mi>&#x3C3;</mi><mo>(</mo><mn>2</mn><mi>z</mi><mo>)</mo><mo>&#x2212;</mo><mn>1</mn><mo>=</mo><mi>tanh</mi><mi>z</mi></math>,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msub><mi>&#x3BC;</mi><mi>m</mi></msub><mo>=</mo><mi>tanh</mi><mrow><mo>(</mo><mfrac><mrow><mo>&#x2212;</mo><mi>h</mi><mo>+</mo><mi>&#x3B2;</mi><munder><mo>&#x2211;</mo><mrow><mi>j</mi><mo>&#x2208;</mo><mi>N</mi><mo>(</mo><mi>m</mi><mo>)</mo></mrow></munder><msub><mi>&#x3BC;</mi><mi>j</mi></msub><mo>+</mo><mi>&#x3B7;</mi><msub><mi>y</mi><mi>m</mi></msub></mrow><mi>T</mi></mfrac><mo>)</mo></mrow></math>
<p>deepgm iterates these updates for all pixels in parallel, damped, from <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3BC;</mi><mo>=</mo><mi>y</mi></math>, until no mean moves by more than a tolerance; the labelling is the sign of <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3BC;</mi></math>, and <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>q</mi><mo>(</mo><msub><mi>x</mi><mi>i</mi></msub><mo>=</mo><mo>+</mo><mn>1</mn><mo>)</mo><mo>=</mo><mo>(</mo><mn>1</mn><mo>+</mo><msub><mi>&#x3BC;</mi><mi>i</mi></msub><mo>)</mo><mo>/</mo><mn>2</mn></math>.</p>"#,
        text: "A fully factorized q(x) = ∏_i q_i(x_i) with means μ_i = E_q[x_i] minimizes KL(q ∥ p_T) in one factor, the others fixed, when q_m(x_m) ∝ exp(−E_q[E ∣ x_m]/T). The energy is linear in each neighbour, so the expectation puts the means in place of the neighbours in 4.4: q_m(+1) = σ(−ΔE_m(μ)/T), and since 2σ(2z) − 1 = tanh(z), μ_m = tanh((−h + β Σ_{j in N(m)} μ_j + η y_m)/T). deepgm iterates these updates for all pixels in parallel, damped, from μ = y, until no mean moves by more than a tolerance; the labelling is the sign of μ, and q(x_i = +1) = (1 + μ_i)/2.",
    },
    Step {
        id: "mrf-graph-cut",
        section: "4.6",
        title: "The exact minimum by a graph cut",
        html: r#"<p class="completion"><strong>Completion.</strong> ICM, annealing and mean field give local or approximate answers. For <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi><mo>&#x2265;</mo><mn>0</mn></math> deepgm finds the global minimum (Greig, Porteous and Seheult, 1989).</p>
<p>The pair term <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B8;</mi><mo>(</mo><msub><mi>x</mi><mi>i</mi></msub><mo>,</mo><msub><mi>x</mi><mi>j</mi></msub><mo>)</mo><mo>=</mo><mo>&#x2212;</mo><mi>&#x3B2;</mi><msub><mi>x</mi><mi>i</mi></msub><msub><mi>x</mi><mi>j</mi></msub></math> is submodular, <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B8;</mi><mo>(</mo><mo>+</mo><mo>,</mo><mo>+</mo><mo>)</mo><mo>+</mo><mi>&#x3B8;</mi><mo>(</mo><mo>&#x2212;</mo><mo>,</mo><mo>&#x2212;</mo><mo>)</mo><mo>=</mo><mo>&#x2212;</mo><mn>2</mn><mi>&#x3B2;</mi><mo>&#x2264;</mo><mn>2</mn><mi>&#x3B2;</mi><mo>=</mo><mi>&#x3B8;</mi><mo>(</mo><mo>+</mo><mo>,</mo><mo>&#x2212;</mo><mo>)</mo><mo>+</mo><mi>&#x3B8;</mi><mo>(</mo><mo>&#x2212;</mo><mo>,</mo><mo>+</mo><mo>)</mo></math>, exactly when <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi><mo>&#x2265;</mo><mn>0</mn></math>. With <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>i</mi></msub><msub><mi>x</mi><mi>j</mi></msub><mo>=</mo><mn>1</mn><mo>&#x2212;</mo><mn>2</mn><mspace width="0.1em"></mspace><mi>&#x1D7D9;</mi><mo>[</mo><msub><mi>x</mi><mi>i</mi></msub><mo>&#x2260;</mo><msub><mi>x</mi><mi>j</mi></msub><mo>]</mo></math> and <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>c</mi><mi>i</mi></msub><mo>=</mo><mi>h</mi><mo>&#x2212;</mo><mi>&#x3B7;</mi><msub><mi>y</mi><mi>i</mi></msub></math>,</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><munder><mo>&#x2211;</mo><mi>i</mi></munder><msub><mi>c</mi><mi>i</mi></msub><msub><mi>x</mi><mi>i</mi></msub><mo>+</mo><mn>2</mn><mi>&#x3B2;</mi><munder><mo>&#x2211;</mo><mrow><mi>i</mi><mo>&#x223C;</mo><mi>j</mi></mrow></munder><mi>&#x1D7D9;</mi><mo>[</mo><msub><mi>x</mi><mi>i</mi></msub><mo>&#x2260;</mo><msub><mi>x</mi><mi>j</mi></msub><mo>]</mo><mo>&#x2212;</mo><mi>&#x3B2;</mi><mspace width="0.1em"></mspace><mo>#</mo><mtext>pairs</mtext></math>
<p>Add a source <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>s</mi></math> (the side <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>i</mi></msub><mo>=</mo><mo>+</mo><mn>1</mn></math>) and a sink <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>t</mi></math>. Pixel <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi></math> gets an arc <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>i</mi><mo>&#x2192;</mo><mi>t</mi></math> of capacity <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>2</mn><msub><mi>c</mi><mi>i</mi></msub></math> when <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>c</mi><mi>i</mi></msub><mo>&gt;</mo><mn>0</mn></math> (cut when <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>i</mi></msub><mo>=</mo><mo>+</mo><mn>1</mn></math>) or <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>s</mi><mo>&#x2192;</mo><mi>i</mi></math> of capacity <math xmlns="http://www.w3.org/1998/Math/MathML"><mo>&#x2212;</mo><mn>2</mn><msub><mi>c</mi><mi>i</mi></msub></math> when <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>c</mi><mi>i</mi></msub><mo>&lt;</mo><mn>0</mn></math> (cut when <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mi>i</mi></msub><mo>=</mo><mo>&#x2212;</mo><mn>1</mn></math>), and each neighbouring pair arcs both ways of capacity <math xmlns="http://www.w3.org/1998/Math/MathML"><mn>2</mn><mi>&#x3B2;</mi></math>, one of which is cut when the two pixels differ. Every labelling is a cut, of capacity</p>
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>cut</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><mi>E</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>+</mo><munder><mo>&#x2211;</mo><mi>i</mi></munder><mo>&#x2223;</mo><msub><mi>c</mi><mi>i</mi></msub><mo>&#x2223;</mo><mo>+</mo><mi>&#x3B2;</mi><mspace width="0.1em"></mspace><mo>#</mo><mtext>pairs</mtext></math>
<p>the energy plus a constant. The capacities are non-negative because <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi><mo>&#x2265;</mo><mn>0</mn></math>, so a minimum cut, read off a maximum flow (Boykov-Kolmogorov on the pixel grid), is a labelling of minimum energy. For <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>&#x3B2;</mi><mo>&lt;</mo><mn>0</mn></math> deepgm refuses the graph cut and points to the other methods.</p>"#,
        text: "Completion: ICM, annealing and mean field give local or approximate answers; for β ≥ 0 deepgm finds the global minimum (Greig, Porteous and Seheult, 1989). The pair term θ(x_i, x_j) = −β x_i x_j is submodular, θ(+,+) + θ(−,−) = −2β ≤ 2β = θ(+,−) + θ(−,+), exactly when β ≥ 0. With x_i x_j = 1 − 2·1[x_i ≠ x_j] and c_i = h − η y_i, E(x,y) = Σ_i c_i x_i + 2β Σ_{i∼j} 1[x_i ≠ x_j] − β·(number of pairs). Add a source s (the side x_i = +1) and a sink t. Pixel i gets an arc i → t of capacity 2c_i when c_i is positive (cut when x_i = +1) or s → i of capacity −2c_i when c_i is negative (cut when x_i = −1), and each neighbouring pair arcs both ways of capacity 2β, one of which is cut when the two pixels differ. Every labelling is a cut, of capacity cut(x) = E(x,y) + Σ_i abs(c_i) + β·(number of pairs): the energy plus a constant. The capacities are non-negative because β ≥ 0, so a minimum cut, read off a maximum flow (Boykov-Kolmogorov on the pixel grid), is a labelling of minimum energy. For negative β deepgm refuses the graph cut and points to the other methods.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// An element of a parsed fragment: its name and its child elements (text is skipped).
    struct Element {
        name: String,
        children: Vec<Element>,
    }

    /// Checks an entity reference starting at `s[0] == '&'`; returns its length.
    fn entity_len(s: &str) -> Result<usize, String> {
        let end = s
            .find(';')
            .ok_or_else(|| format!("unterminated entity at {:?}", &s[..s.len().min(12)]))?;
        let body = &s[1..end];
        let ok = match body {
            "lt" | "gt" | "amp" | "quot" | "apos" => true,
            _ => {
                if let Some(hex) = body.strip_prefix("#x") {
                    !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())
                } else if let Some(dec) = body.strip_prefix('#') {
                    !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit())
                } else {
                    false
                }
            }
        };
        if ok {
            Ok(end + 1)
        } else {
            Err(format!("bad entity &{body};"))
        }
    }

    /// Checks the attributes of a start tag (`name="value"` pairs); returns them.
    fn attributes(mut s: &str) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        loop {
            s = s.trim_start();
            if s.is_empty() {
                return Ok(out);
            }
            let eq = s
                .find('=')
                .ok_or_else(|| format!("attribute without value: {s}"))?;
            let name = &s[..eq];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                return Err(format!("bad attribute name {name:?}"));
            }
            let rest = s[eq + 1..]
                .strip_prefix('"')
                .ok_or_else(|| format!("unquoted attribute {name}"))?;
            let close = rest
                .find('"')
                .ok_or_else(|| format!("unterminated attribute {name}"))?;
            let value = &rest[..close];
            if value.contains('<') {
                return Err(format!("'<' in attribute {name}"));
            }
            out.push((name.to_string(), value.to_string()));
            s = &rest[close + 1..];
        }
    }

    /// Parses an HTML fragment as XML with a stack of open elements: every start tag closed by
    /// the matching end tag (or self-closing), attributes quoted, only the five XML entities
    /// and numeric character references. Returns the top-level elements.
    fn parse(fragment: &str) -> Result<Vec<Element>, String> {
        let mut stack: Vec<Element> = vec![Element {
            name: String::new(),
            children: Vec::new(),
        }];
        let mut i = 0;
        while i < fragment.len() {
            let rest = &fragment[i..];
            if rest.starts_with('&') {
                i += entity_len(rest)?;
            } else if rest.starts_with('<') {
                let close = rest
                    .find('>')
                    .ok_or_else(|| "unterminated tag".to_string())?;
                let tag = &rest[1..close];
                if tag.contains('<') {
                    return Err(format!("'<' inside tag {tag:?}"));
                }
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or("stack underflow")?;
                    if stack.is_empty() || open.name != name {
                        return Err(format!("</{name}> closes <{}>", open.name));
                    }
                    stack.last_mut().expect("root").children.push(open);
                } else {
                    let (body, self_closing) = match tag.strip_suffix('/') {
                        Some(b) => (b, true),
                        None => (tag, false),
                    };
                    let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
                    let name = &body[..name_end];
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    {
                        return Err(format!("bad element name {name:?}"));
                    }
                    let attrs = attributes(&body[name_end..])?;
                    if name == "math" {
                        let ns = attrs.iter().find(|(k, _)| k == "xmlns").map(|(_, v)| v);
                        if ns.map(String::as_str) != Some("http://www.w3.org/1998/Math/MathML") {
                            return Err("<math> without the MathML xmlns".into());
                        }
                        let display = attrs.iter().find(|(k, _)| k == "display");
                        if let Some((_, d)) = display.filter(|(_, d)| d != "block") {
                            return Err(format!("display=\"{d}\""));
                        }
                    }
                    let element = Element {
                        name: name.to_string(),
                        children: Vec::new(),
                    };
                    if self_closing {
                        stack.last_mut().expect("root").children.push(element);
                    } else {
                        stack.push(element);
                    }
                }
                i += close + 1;
            } else if rest.starts_with('>') {
                return Err("stray '>'".into());
            } else {
                i += rest.chars().next().expect("non-empty").len_utf8();
            }
        }
        if stack.len() != 1 {
            let open: Vec<_> = stack[1..].iter().map(|e| e.name.as_str()).collect();
            return Err(format!("unclosed elements {open:?}"));
        }
        Ok(stack.pop().expect("root").children)
    }

    const HTML_ELEMENTS: &[&str] = &["p", "em", "strong"];
    const MATHML_ELEMENTS: &[&str] = &[
        "math",
        "mi",
        "mn",
        "mo",
        "mtext",
        "mspace",
        "mrow",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mfrac",
        "mtable",
        "mtr",
        "mtd",
    ];

    /// Checks element names and, inside MathML, the number of children of each script and
    /// fraction element.
    fn check_tree(
        elements: &[Element],
        in_math: bool,
        math_count: &mut usize,
    ) -> Result<(), String> {
        for e in elements {
            let name = e.name.as_str();
            let math_now = in_math || name == "math";
            if name == "math" {
                if in_math {
                    return Err("nested <math>".into());
                }
                *math_count += 1;
            }
            if math_now {
                if !MATHML_ELEMENTS.contains(&name) {
                    return Err(format!("<{name}> inside <math>"));
                }
            } else if !HTML_ELEMENTS.contains(&name) {
                return Err(format!("unexpected HTML element <{name}>"));
            }
            let arity = match name {
                "msub" | "msup" | "munder" | "mover" | "mfrac" => Some(2),
                "msubsup" | "munderover" => Some(3),
                "mi" | "mn" | "mo" | "mtext" | "mspace" => Some(0),
                _ => None,
            };
            if let Some(n) = arity.filter(|&n| e.children.len() != n) {
                return Err(format!(
                    "<{name}> has {} child elements, expected {n}",
                    e.children.len()
                ));
            }
            check_tree(&e.children, math_now, math_count)?;
        }
        Ok(())
    }

    fn all_steps() -> impl Iterator<Item = &'static Step> {
        Problem::ALL.iter().flat_map(|&p| steps(p).iter())
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for s in all_steps() {
            assert!(seen.insert(s.id), "duplicate id {}", s.id);
            assert!(!s.id.is_empty() && !s.id.starts_with('-') && !s.id.ends_with('-'));
            assert!(
                s.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "bad id {}",
                s.id
            );
            assert!(!s.id.contains("--"), "bad id {}", s.id);
        }
    }

    #[test]
    fn sections_belong_to_their_problem_and_increase() {
        for (n, &p) in Problem::ALL.iter().enumerate() {
            let number = (n + 1).to_string();
            let prefix = match p {
                Problem::Cnn => "cnn-",
                Problem::Bn => "bn-",
                Problem::Rbm => "rbm-",
                Problem::Mrf => "mrf-",
            };
            let mut last: Option<u32> = None;
            for s in steps(p) {
                assert!(s.id.starts_with(prefix), "{} in {p:?}", s.id);
                let sub = if s.section == number {
                    0
                } else {
                    let rest = s
                        .section
                        .strip_prefix(&format!("{number}."))
                        .unwrap_or_else(|| panic!("{}: section {}", s.id, s.section));
                    rest.parse::<u32>().expect("a subsection number")
                };
                assert!(
                    last.is_none_or(|l| sub > l),
                    "{}: sections out of order",
                    s.id
                );
                last = Some(sub);
                assert!(!s.title.is_empty() && !s.title.contains('|') && !s.title.contains('`'));
            }
        }
    }

    #[test]
    fn every_problem_has_at_least_four_steps() {
        for p in Problem::ALL {
            assert!(steps(p).len() >= 4, "{p:?} has {} steps", steps(p).len());
        }
    }

    #[test]
    fn html_is_balanced_mathml() {
        for s in all_steps() {
            assert!(!s.html.contains('`'), "{}: backtick", s.id);
            assert!(
                !s.html.to_ascii_lowercase().contains("<script"),
                "{}: script",
                s.id
            );
            let tree = parse(s.html).unwrap_or_else(|e| panic!("{}: {e}", s.id));
            let mut maths = 0;
            check_tree(&tree, false, &mut maths).unwrap_or_else(|e| panic!("{}: {e}", s.id));
            assert!(maths >= 1, "{}: no <math>", s.id);
            assert!(
                s.html.contains("display=\"block\""),
                "{}: no displayed equation",
                s.id
            );
        }
    }

    #[test]
    fn text_is_plain() {
        for s in all_steps() {
            assert!(!s.text.is_empty(), "{}", s.id);
            for bad in ['`', '|', '<', '>', '\n', '\\', '*'] {
                assert!(!s.text.contains(bad), "{}: {bad:?} in text", s.id);
            }
        }
    }

    #[test]
    fn corrections_and_completions_are_marked_in_both_forms() {
        for s in all_steps() {
            for (html, text) in [
                (
                    "<strong>Correction of the source.</strong>",
                    "Correction of the source",
                ),
                ("<strong>Completion.</strong>", "Completion"),
            ] {
                assert_eq!(
                    s.html.contains(html),
                    s.text.contains(text),
                    "{}: {text} marked in one form only",
                    s.id
                );
            }
        }
    }

    #[test]
    fn step_finds_every_id() {
        for s in all_steps() {
            let found = step(s.id).unwrap_or_else(|| panic!("{} not found", s.id));
            assert!(std::ptr::eq(found, s));
        }
        assert!(step("").is_none());
        assert!(step("cnn-nothing").is_none());
    }

    #[test]
    fn the_checker_rejects_bad_fragments() {
        for bad in [
            "<p>x",
            "<p></em>",
            "<p>&nbsp;</p>",
            "<p>a & b</p>",
            "<math><mi>x</mi></math>",
            "<p class=x>y</p>",
            "a > b",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
        let tree = parse(
            r#"<p>a &#x2211; <math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi><mn>1</mn></msub><mspace width="1em"/></math></p>"#,
        )
        .unwrap();
        let mut maths = 0;
        check_tree(&tree, false, &mut maths).unwrap();
        assert_eq!(maths, 1);
        let lopsided = parse(
            r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><msub><mi>x</mi></msub></math>"#,
        )
        .unwrap();
        assert!(check_tree(&lopsided, false, &mut maths).is_err());
    }
}
