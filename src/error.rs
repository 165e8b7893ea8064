//! Errors, one variant per kind, each naming the file (and page where known).

use std::path::PathBuf;

/// Everything that can go wrong reading one input file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: empty file (no bytes, or only white space and page breaks)")]
    Empty { file: PathBuf },
    #[error("{file}: not a PDF (no %PDF header), nor a text dump holding the form's words")]
    NotPdf { file: PathBuf },
    #[error("{file}: damaged or truncated PDF: {reason}")]
    Damaged { file: PathBuf, reason: String },
    #[error("{file}: encrypted PDF")]
    Encrypted { file: PathBuf },
    #[error("{file}: page {page}: {reason}")]
    Page {
        file: PathBuf,
        page: usize,
        reason: String,
    },
    #[error("{file}: no text layer (scanned pages need OCR)")]
    NoTextLayer { file: PathBuf },
    #[error("{file}: scanned pages need OCR, which is unavailable: {reason}")]
    OcrUnavailable { file: PathBuf, reason: String },
    #[error("{file}: OCR failed: {reason}")]
    Ocr { file: PathBuf, reason: String },
    #[error("{file}: no form found")]
    NoForm { file: PathBuf },
    #[error("{file}: over the time limit of {seconds} s")]
    Timeout { file: PathBuf, seconds: f64 },
    #[error("{file}: {pages} pages, over the limit of {limit}")]
    TooManyPages {
        file: PathBuf,
        pages: usize,
        limit: usize,
    },
    /// A file over one of the per-file budgets (its size, ...): named.
    #[error("{file}: over the {budget}")]
    TooComplex { file: PathBuf, budget: String },
    #[error("{file}: internal error: {reason}")]
    Internal { file: PathBuf, reason: String },
    #[error("template {file}: {reason}")]
    Template { file: PathBuf, reason: String },
    /// A failure reported by a worker process
    /// ([`crate::run::isolate`]): its code and message as it gave them
    /// (the message names the file).
    #[error("{message}")]
    Reported {
        file: PathBuf,
        code: String,
        message: String,
    },
}

impl Error {
    /// A short stable code for the kind, for JSON error lines.
    pub fn code(&self) -> &str {
        match self {
            Error::Io { .. } => "io",
            Error::Empty { .. } => "empty",
            Error::NotPdf { .. } => "not_pdf",
            Error::Damaged { .. } => "damaged",
            Error::Encrypted { .. } => "encrypted",
            Error::Page { .. } => "page",
            Error::NoTextLayer { .. } => "no_text_layer",
            Error::OcrUnavailable { .. } => "ocr_unavailable",
            Error::Ocr { .. } => "ocr",
            Error::NoForm { .. } => "no_form",
            Error::Timeout { .. } => "timeout",
            Error::TooManyPages { .. } => "too_many_pages",
            Error::TooComplex { .. } => "too_complex",
            Error::Internal { .. } => "internal",
            Error::Template { .. } => "template",
            Error::Reported { code, .. } => code,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
