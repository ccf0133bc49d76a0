//! Matrix products: deepgm-core's `gemm` wrapper, shared by the model families.

pub use deepgm_core::linalg::{gemm_into, matmul};
