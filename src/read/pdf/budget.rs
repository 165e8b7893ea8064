//! Per-file work budgets of the PDF reader: what one file may cost before
//! it is refused as [`crate::Error::TooComplex`] (the limits are
//! [`PdfSettings`] fields, documented there and in docs/read-pdf.md).
//!
//! [`Tally`] counts what is shared by the whole file (bytes inflated,
//! content operators run); the interpreter counts what is per page
//! (glyphs, path points, XObject calls) against the same settings.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Document, ObjectId, Stream};

use super::PdfSettings;

/// Why reading a page stopped before its end.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Past [`PdfSettings::deadline`].
    Timeout,
    /// Over a budget: its description with the limit ("glyph budget of
    /// 500000 per page").
    Over(String),
    /// The page cannot be read (a damaged object).
    Page(String),
}

/// What one file has used so far of the budgets shared by its pages.
#[derive(Debug)]
pub struct Tally {
    max_stream: usize,
    max_inflated: usize,
    max_operators: u64,
    /// Bytes inflated so far (every decoded stream).
    pub inflated: usize,
    /// Content operators run so far (Form XObjects included).
    pub operators: u64,
    /// Glyphs painted on the pages read so far.
    pub glyphs: usize,
    /// Form XObjects already inflated, by object: decoded (and charged)
    /// once however often they are painted.
    forms: HashMap<ObjectId, Rc<[u8]>>,
}

impl Tally {
    pub fn new(s: &PdfSettings) -> Self {
        Tally {
            max_stream: s.max_stream_bytes,
            max_inflated: s.max_inflated_bytes,
            max_operators: s.max_operators,
            inflated: 0,
            operators: 0,
            glyphs: 0,
            forms: HashMap::new(),
        }
    }

    /// The most a stream may inflate to now: the per-stream budget, or
    /// what is left of the per-file one when that is less.
    fn room(&self) -> usize {
        self.max_stream
            .min(self.max_inflated.saturating_sub(self.inflated))
    }

    fn over_inflated(&self) -> Stop {
        if self.room() < self.max_stream {
            Stop::Over(format!(
                "inflated-bytes budget of {} per file",
                self.max_inflated
            ))
        } else {
            Stop::Over(format!(
                "inflated-bytes budget of {} per stream",
                self.max_stream
            ))
        }
    }

    fn charge(&mut self, n: usize) {
        self.inflated += n;
    }

    /// A stream's decoded bytes within the budgets; `None` when its
    /// filters cannot be decoded (the caller skips it).
    pub fn inflate(&mut self, s: &Stream) -> Result<Option<Vec<u8>>, Stop> {
        match s.get_plain_content_with_limit(self.room()) {
            Ok(data) => {
                self.charge(data.len());
                Ok(Some(data))
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => Err(self.over_inflated()),
            Err(_) => Ok(None),
        }
    }

    /// [`Tally::inflate`] for the stream of object `id`, kept for the
    /// next call.
    pub fn inflate_once(&mut self, id: ObjectId, s: &Stream) -> Result<Option<Rc<[u8]>>, Stop> {
        if let Some(d) = self.forms.get(&id) {
            return Ok(Some(d.clone()));
        }
        let Some(data) = self.inflate(s)? else {
            return Ok(None);
        };
        let data: Rc<[u8]> = data.into();
        self.forms.insert(id, data.clone());
        Ok(Some(data))
    }

    /// A page's content (its streams concatenated) within the budgets.
    pub fn page_content(&mut self, doc: &Document, page: ObjectId) -> Result<Vec<u8>, Stop> {
        let room = self.room();
        match doc.get_page_content_with_limit(page, room) {
            Ok(data) => {
                self.charge(data.len());
                Ok(data)
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => Err(self.over_inflated()),
            Err(e) => Err(Stop::Page(format!("content: {e}"))),
        }
    }

    /// Counts one content operator.
    #[inline]
    pub fn operator(&mut self) -> Result<(), Stop> {
        self.operators += 1;
        if self.operators > self.max_operators {
            return Err(Stop::Over(format!(
                "operator budget of {} content operators per file",
                self.max_operators
            )));
        }
        Ok(())
    }
}
