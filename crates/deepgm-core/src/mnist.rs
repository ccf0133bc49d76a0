//! MNIST: loading the four IDX files, validation, the embedded subset, and conversions
//! (f32 intensities, threshold and stochastic binarization).

use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3, Axis};
use rand::Rng;

use crate::error::{Error, Result};
use crate::idx::{self, IdxArray};

/// IDX magic number of an image file (unsigned bytes, 3 dimensions).
pub const IMAGES_MAGIC: u32 = 2051;
/// IDX magic number of a label file (unsigned bytes, 1 dimension).
pub const LABELS_MAGIC: u32 = 2049;
/// Number of classes (digits 0-9).
pub const CLASSES: usize = 10;
/// Environment variable naming the MNIST directory when the caller names none.
pub const DATA_ENV: &str = "DEEPGM_DATA";
/// Directory searched last, relative to the working directory.
pub const DEFAULT_DIR: &str = "data/mnist";
/// The data location that selects the subset built into deepgm.
pub const EMBEDDED: &str = "embedded";

/// One of the two MNIST splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// 60,000 training digits.
    Train,
    /// 10,000 test digits.
    Test,
}

impl Split {
    /// Both splits, train first.
    pub const ALL: [Split; 2] = [Split::Train, Split::Test];

    /// The split called `name` (`train` or `test`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (name `split`) for any other name.
    pub fn from_name(name: &str) -> Result<Split> {
        Split::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| Error::param("split", format!("{name:?}"), "\"train\" or \"test\""))
    }

    /// The split's name as used on the command line and in reports (`train` or `test`).
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }

    /// The file-name stem of the split's images (e.g. `train-images-idx3-ubyte`).
    pub fn images_stem(self) -> &'static str {
        match self {
            Split::Train => "train-images-idx3-ubyte",
            Split::Test => "t10k-images-idx3-ubyte",
        }
    }

    /// The file-name stem of the split's labels (e.g. `t10k-labels-idx1-ubyte`).
    pub fn labels_stem(self) -> &'static str {
        match self {
            Split::Train => "train-labels-idx1-ubyte",
            Split::Test => "t10k-labels-idx1-ubyte",
        }
    }
}

/// What `deepgm data check` reports of one split.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SplitSummary {
    /// The split's name (`train`, `test`, `embedded-test`).
    pub split: String,
    /// Number of images.
    pub count: usize,
    /// Image height in pixels.
    pub rows: usize,
    /// Image width in pixels.
    pub cols: usize,
    /// Images per label 0-9.
    pub label_histogram: [usize; CLASSES],
}

/// A set of MNIST digits paired with their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    /// Pixel intensities 0-255, shape `(n, rows, cols)` (28 x 28 for MNIST).
    pub images: Array3<u8>,
    /// Labels 0-9, one per image.
    pub labels: Vec<u8>,
}

impl Mnist {
    /// Pairs a parsed image file with a parsed label file, validating both.
    ///
    /// # Errors
    /// [`Error::Format`] naming the offending file when a magic number or dimension count is
    /// wrong, the counts of images and labels differ, or a label is outside 0-9.
    pub fn from_idx(
        images: IdxArray,
        images_path: &Path,
        labels: IdxArray,
        labels_path: &Path,
    ) -> Result<Self> {
        if images.magic != IMAGES_MAGIC || images.dims.len() != 3 {
            return Err(Error::format(
                images_path,
                format!(
                    "wrong magic number {} with {} dimensions: an image file has magic {IMAGES_MAGIC} and 3 dimensions",
                    images.magic,
                    images.dims.len()
                ),
            ));
        }
        if labels.magic != LABELS_MAGIC || labels.dims.len() != 1 {
            return Err(Error::format(
                labels_path,
                format!(
                    "wrong magic number {} with {} dimensions: a label file has magic {LABELS_MAGIC} and 1 dimension",
                    labels.magic,
                    labels.dims.len()
                ),
            ));
        }
        let (n, rows, cols) = (images.dims[0], images.dims[1], images.dims[2]);
        if rows == 0 || cols == 0 {
            return Err(Error::format(
                images_path,
                format!("images of {rows} x {cols} pixels: expected at least 1 x 1"),
            ));
        }
        if labels.dims[0] != n {
            return Err(Error::format(
                labels_path,
                format!(
                    "{} labels for {n} images in {}",
                    labels.dims[0],
                    images_path.display()
                ),
            ));
        }
        if let Some((index, &label)) = labels
            .data
            .iter()
            .enumerate()
            .find(|(_, &l)| l as usize >= CLASSES)
        {
            return Err(Error::format(
                labels_path,
                format!("label {label} at item {index} is out of range: expected 0-9"),
            ));
        }
        let images = Array3::from_shape_vec((n, rows, cols), images.data)
            .expect("IDX decode checked the data length");
        Ok(Mnist {
            images,
            labels: labels.data,
        })
    }

    /// Loads an image file and a label file (each raw or gzipped).
    ///
    /// # Errors
    /// As [`idx::read`] and [`Mnist::from_idx`].
    pub fn load(images_path: &Path, labels_path: &Path) -> Result<Self> {
        let images = idx::read(images_path)?;
        let labels = idx::read(labels_path)?;
        Self::from_idx(images, images_path, labels, labels_path)
    }

    /// Loads one split from `dir`, accepting `NAME.gz` or the uncompressed `NAME`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the split's files are absent; otherwise as [`Mnist::load`].
    pub fn load_split(dir: &Path, split: Split) -> Result<Self> {
        let images = find_file(dir, split.images_stem())?;
        let labels = find_file(dir, split.labels_stem())?;
        Self::load(&images, &labels)
    }

    /// The first 2,000 digits of the MNIST test split, built into deepgm (about 400 kB), so that
    /// the tour, examples and tests run without a download.
    pub fn embedded() -> Self {
        let images = idx::decode(EMBEDDED_IMAGES.to_vec(), Path::new("<embedded images>"))
            .expect("embedded images are valid IDX");
        let labels = idx::decode(EMBEDDED_LABELS.to_vec(), Path::new("<embedded labels>"))
            .expect("embedded labels are valid IDX");
        Self::from_idx(
            images,
            Path::new("<embedded images>"),
            labels,
            Path::new("<embedded labels>"),
        )
        .expect("embedded MNIST subset is valid")
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no digits.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image height and width in pixels.
    pub fn image_shape(&self) -> (usize, usize) {
        (self.images.shape()[1], self.images.shape()[2])
    }

    /// Counts, image size and label histogram of this set, under the name `split`.
    pub fn summary(&self, split: &str) -> SplitSummary {
        let (rows, cols) = self.image_shape();
        SplitSummary {
            split: split.to_string(),
            count: self.len(),
            rows,
            cols,
            label_histogram: self.label_histogram(),
        }
    }

    /// How many digits carry each label 0-9.
    pub fn label_histogram(&self) -> [usize; CLASSES] {
        let mut counts = [0; CLASSES];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// The first `n` digits (all of them when `n` exceeds the count).
    pub fn take(&self, n: usize) -> Self {
        let n = n.min(self.len());
        Mnist {
            images: self.images.slice(ndarray::s![..n, .., ..]).to_owned(),
            labels: self.labels[..n].to_vec(),
        }
    }

    /// The first `n` digits and the rest (`n` is capped at the count).
    pub fn split_at(&self, n: usize) -> (Self, Self) {
        let n = n.min(self.len());
        let rest = Mnist {
            images: self.images.slice(ndarray::s![n.., .., ..]).to_owned(),
            labels: self.labels[n..].to_vec(),
        };
        (self.take(n), rest)
    }

    /// Intensities scaled to [0, 1], one flattened image per row: shape `(n, rows*cols)`.
    pub fn to_f32(&self) -> Array2<f32> {
        self.flat().mapv(|p| p as f32 / 255.0)
    }

    /// Binarized to {0, 1} by a threshold on the raw intensity (`pixel >= threshold` gives 1);
    /// shape `(n, rows*cols)`.
    pub fn binarize_threshold(&self, threshold: u8) -> Array2<u8> {
        self.flat().mapv(|p| u8::from(p >= threshold))
    }

    /// Binarized stochastically: each pixel is 1 with probability `intensity / 255`, as in
    /// Salakhutdinov and Murray (2008). Same generator state, same result. Shape `(n, rows*cols)`.
    pub fn binarize_sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Array2<u8> {
        self.flat()
            .mapv(|p| u8::from(rng.random::<f32>() * 255.0 < p as f32))
    }

    fn flat(&self) -> Array2<u8> {
        let (rows, cols) = self.image_shape();
        self.images
            .to_owned()
            .into_shape_with_order((self.len(), rows * cols))
            .expect("contiguous images")
    }

    /// One digit as a `(rows, cols)` view.
    pub fn image(&self, index: usize) -> ndarray::ArrayView2<'_, u8> {
        self.images.index_axis(Axis(0), index)
    }
}

const EMBEDDED_IMAGES: &[u8] = include_bytes!("../data/t10k-images-first2000-idx3-ubyte.gz");
const EMBEDDED_LABELS: &[u8] = include_bytes!("../data/t10k-labels-first2000-idx1-ubyte.gz");

fn find_file(dir: &Path, stem: &str) -> Result<PathBuf> {
    for name in [format!("{stem}.gz"), stem.to_string()] {
        let path = dir.join(name);
        if path.is_file() {
            return Ok(path);
        }
    }
    Err(Error::NotFound {
        message: format!(
            "{}: no {stem}.gz (or {stem}); fetch MNIST with `deepgm data fetch mnist {}`",
            dir.display(),
            dir.display()
        ),
    })
}

/// Where a command's MNIST comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// A directory holding the IDX files.
    Dir(PathBuf),
    /// The subset built into deepgm ([`Mnist::embedded`]).
    Embedded,
}

impl DataSource {
    /// Resolves the data location: `given` when there is one (the word `embedded`, or
    /// `builtin:mnist`, selects the built-in subset), else the `DEEPGM_DATA` environment variable, else `./data/mnist`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the chosen directory holds no MNIST split, with the command that
    /// fetches it.
    pub fn locate(given: Option<&Path>) -> Result<Self> {
        let env = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty());
        let (dir, origin) = match (given, env) {
            (Some(dir), _) => (dir.to_path_buf(), "as given"),
            (None, Some(env)) => (PathBuf::from(env), DATA_ENV),
            (None, None) => (PathBuf::from(DEFAULT_DIR), "the default location"),
        };
        if dir.as_os_str() == EMBEDDED {
            return Ok(DataSource::Embedded);
        }
        if let Some(name) = crate::builtin::builtin_name(&dir) {
            if name.eq_ignore_ascii_case("mnist") {
                return Ok(DataSource::Embedded);
            }
            return Err(Error::NotFound {
                message: format!(
                    "no built-in digits called '{name}': the built-in MNIST digits are \
                     builtin:mnist (or `{EMBEDDED}`)"
                ),
            });
        }
        let has_split = Split::ALL
            .iter()
            .any(|s| find_file(&dir, s.images_stem()).is_ok());
        if !has_split {
            return Err(Error::NotFound {
                message: format!(
                    "no MNIST in {} ({origin}): fetch it with `deepgm data fetch mnist {}`, point \
                     the data location or {DATA_ENV} at a directory holding the IDX files, or use \
                     `{EMBEDDED}` for the 2,000 digits built into deepgm",
                    dir.display(),
                    dir.display()
                ),
            });
        }
        Ok(DataSource::Dir(dir))
    }

    /// Loads one split. The built-in digits stand in for both splits without overlap: the first
    /// 1,500 are the training split and the last [`EMBEDDED_HELD_OUT`] the test split, so nothing
    /// is ever measured on digits it was trained on.
    ///
    /// # Errors
    /// As [`Mnist::load_split`].
    pub fn load(&self, split: Split) -> Result<Mnist> {
        match self {
            DataSource::Dir(dir) => Mnist::load_split(dir, split),
            DataSource::Embedded => {
                let all = Mnist::embedded();
                let (train, held_out) = all.split_at(all.len() - EMBEDDED_HELD_OUT);
                Ok(match split {
                    Split::Train => train,
                    Split::Test => held_out,
                })
            }
        }
    }

    /// What to call `split` of this source in reports: `train` and `test` for a directory; for
    /// the built-in digits `built-in training` (the first 1,500) and `held-out` (the last 500).
    pub fn split_label(&self, split: Split) -> &'static str {
        match (self, split) {
            (DataSource::Dir(_), split) => split.name(),
            (DataSource::Embedded, Split::Train) => "built-in training",
            (DataSource::Embedded, Split::Test) => "held-out",
        }
    }

    /// Digits to train on and disjoint digits to measure on: the train and test splits of
    /// [`DataSource::load`], with the name [`DataSource::split_label`] gives the second.
    ///
    /// # Errors
    /// As [`Mnist::load_split`].
    pub fn train_and_held_out(&self) -> Result<TrainAndHeldOut> {
        Ok(TrainAndHeldOut {
            train: self.load(Split::Train)?,
            held_out: self.load(Split::Test)?,
            held_out_name: self.split_label(Split::Test),
        })
    }
}

/// How many of the 2,000 built-in digits [`DataSource::train_and_held_out`] keeps for measuring
/// (the last ones).
pub const EMBEDDED_HELD_OUT: usize = 500;

/// Training digits and disjoint digits to measure on (see [`DataSource::train_and_held_out`]).
#[derive(Debug, Clone)]
pub struct TrainAndHeldOut {
    /// The digits to train on.
    pub train: Mnist,
    /// The digits to measure on.
    pub held_out: Mnist,
    /// What to call the measured digits in reports: `test` (the MNIST test split) or
    /// `held-out` (the last 500 built-in digits).
    pub held_out_name: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_subset_is_the_first_2000_test_digits() {
        let m = Mnist::embedded();
        assert_eq!(m.len(), 2000);
        assert_eq!(m.image_shape(), (28, 28));
        // The first five labels of the MNIST test split are 7 2 1 0 4.
        assert_eq!(&m.labels[..5], &[7, 2, 1, 0, 4]);
        assert_eq!(m.label_histogram().iter().sum::<usize>(), 2000);
    }

    #[test]
    fn conversions() {
        let m = Mnist::embedded().take(3);
        let f = m.to_f32();
        assert_eq!(f.shape(), &[3, 784]);
        assert!(f.iter().all(|&v| (0.0..=1.0).contains(&v)));
        let b = m.binarize_threshold(128);
        assert!(b.iter().all(|&v| v <= 1));
        assert_eq!(b[[0, 0]], 0);
        let s1 = m.binarize_sample(&mut crate::rng::seeded(3));
        let s2 = m.binarize_sample(&mut crate::rng::seeded(3));
        assert_eq!(s1, s2);
        // Pixels of intensity 0 are never on, 255 always on.
        for (p, s) in m.flat().iter().zip(s1.iter()) {
            if *p == 0 {
                assert_eq!(*s, 0);
            }
            if *p == 255 {
                assert_eq!(*s, 1);
            }
        }
    }

    #[test]
    fn label_out_of_range_is_named() {
        let images = IdxArray {
            magic: IMAGES_MAGIC,
            dims: vec![1, 2, 2],
            data: vec![0; 4],
        };
        let labels = IdxArray {
            magic: LABELS_MAGIC,
            dims: vec![1],
            data: vec![11],
        };
        let err = Mnist::from_idx(images, Path::new("i"), labels, Path::new("lab")).unwrap_err();
        assert!(
            matches!(&err, Error::Format { path, message, .. }
                if path == Path::new("lab") && message.contains("label 11")),
            "{err}"
        );
    }

    #[test]
    fn swapped_files_are_rejected() {
        let m = Mnist::embedded();
        let images = idx::decode(EMBEDDED_IMAGES.to_vec(), Path::new("i")).unwrap();
        let labels = idx::decode(EMBEDDED_LABELS.to_vec(), Path::new("l")).unwrap();
        assert!(Mnist::from_idx(labels, Path::new("l"), images, Path::new("i")).is_err());
        assert_eq!(m.len(), 2000);
    }

    #[test]
    fn empty_directory_says_how_to_fetch() {
        let dir = tempfile::tempdir().unwrap();
        let err = DataSource::locate(Some(dir.path())).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotFound);
        assert!(err.to_string().contains("deepgm data fetch mnist"), "{err}");
        assert_eq!(
            DataSource::locate(Some(Path::new("embedded"))).unwrap(),
            DataSource::Embedded
        );
        assert_eq!(
            DataSource::locate(Some(Path::new("builtin:mnist"))).unwrap(),
            DataSource::Embedded
        );
        let parts = DataSource::Embedded.train_and_held_out().unwrap();
        assert_eq!((parts.train.len(), parts.held_out.len()), (1500, 500));
        let all = Mnist::embedded();
        assert_eq!(parts.held_out.image(0), all.image(1500));
        assert_eq!(parts.held_out.labels[..], all.labels[1500..]);
        let err = DataSource::locate(Some(Path::new("builtin:cifar"))).unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
    }
}
