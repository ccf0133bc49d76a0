//! Claims about the data every model stands on: the built-in digits are what they say they
//! are, and the validating IDX reader rejects damaged files naming them.

use std::path::Path;

use crate::claims::Claim;
use crate::idx::{self, IdxArray};
use crate::mnist::{Mnist, Split, IMAGES_MAGIC};
use crate::{Error, Result};

/// Published label counts of the MNIST training split, digits 0-9.
pub const TRAIN_COUNTS: [usize; 10] = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

/// The claims about the built-in subset and the IDX reader (deterministic: no seed).
pub fn claims() -> Vec<Claim> {
    let mnist = Mnist::embedded();
    let hist = mnist.label_histogram();
    let mut claims = vec![
        Claim::observation(
            "built-in subset: 2,000 digits of 28 x 28 with labels 0-9",
            format!(
                "{} digits of {:?}, {} labels",
                mnist.len(),
                mnist.image_shape(),
                hist.iter().sum::<usize>()
            ),
            mnist.len() == 2000
                && mnist.image_shape() == (28, 28)
                && hist.iter().sum::<usize>() == 2000,
        ),
        Claim::observation(
            "it is the start of the MNIST test split (first labels 7 2 1 0 4)",
            format!("first labels {:?}", &mnist.labels[..5]),
            mnist.labels[..5] == [7, 2, 1, 0, 4],
        ),
    ];

    let array = IdxArray {
        magic: IMAGES_MAGIC,
        dims: vec![mnist.len(), 28, 28],
        data: mnist.images.iter().copied().collect(),
    };
    let raw = idx::encode(&array, false);
    let gz = idx::encode(&array, true);
    let same =
        idx::decode(raw.clone(), Path::new("raw")).ok() == idx::decode(gz, Path::new("gz")).ok();
    claims.push(Claim::observation(
        "raw and gzipped IDX read alike (detected by content)",
        format!("identical: {same}"),
        same,
    ));
    let mut truncated = raw.clone();
    truncated.truncate(raw.len() - 100);
    let err = idx::decode(truncated, Path::new("truncated.idx")).err();
    claims.push(Claim::observation(
        "a truncated file is rejected, naming it",
        err.as_ref().map(Error::to_string).unwrap_or_default(),
        matches!(&err, Some(Error::Format { path, message, .. })
            if path == Path::new("truncated.idx") && message.contains("truncated")),
    ));
    let mut wrong = raw;
    wrong[2] = 0x0b;
    let err = idx::decode(wrong, Path::new("wrong-magic.idx")).err();
    claims.push(Claim::observation(
        "a wrong magic number is rejected, naming it",
        err.as_ref().map(Error::to_string).unwrap_or_default(),
        matches!(&err, Some(Error::Format { path, message, .. })
            if path == Path::new("wrong-magic.idx") && message.contains("wrong magic")),
    ));
    claims
}

/// The claim about a full MNIST split in `dir`: the training split has the published label
/// counts, the test split 10,000 digits.
///
/// # Errors
/// As [`Mnist::load_split`] when the split cannot be read.
pub fn full_split(dir: &Path, split: Split) -> Result<Claim> {
    let full = Mnist::load_split(dir, split)?;
    let h = full.label_histogram();
    let measured = format!("{} digits: {:?}", full.len(), h);
    Ok(match split {
        Split::Train => Claim::observation(
            format!(
                "full training split in {} has the published label counts",
                dir.display()
            ),
            measured,
            full.len() == 60000 && h == TRAIN_COUNTS,
        ),
        Split::Test => Claim::observation(
            format!("full test split in {} has 10,000 digits", dir.display()),
            measured,
            full.len() == 10000,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_claim_holds() {
        let claims = claims();
        assert_eq!(claims.len(), 5);
        assert!(crate::claims::failures(&claims).is_empty(), "{claims:?}");
    }
}
