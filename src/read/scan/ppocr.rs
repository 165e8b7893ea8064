//! PP-OCRv4 text-line recognition (the Chinese recognizer of PaddleOCR) run
//! through ONNX Runtime: a line image in, characters with their positions
//! and confidences out.
//!
//! Nothing is downloaded at run time. `scripts/install_ppocr.sh` takes two
//! files from PyPI wheels, pinned by hash, into a folder ([`find_dir`]):
//! `ch_PP-OCRv4_rec_infer.onnx` (from `rapidocr-onnxruntime`, which carries
//! the character set in the model's metadata) and `libonnxruntime.so`
//! (from `onnxruntime` 1.22, the C library `ort` loads with `load-dynamic`).
//! Where they are missing, the tesseract path is used ([`super::Recognizer`]).
//!
//! ```text
//! line image ─line_to_tensor (height 48, [-1, 1])─▶ model ─▶ [T × 6625] softmax
//!   ─ctc_decode─▶ characters (class, timestep span, probability)
//! ```

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::image::GrayImage;
use crate::read::pdf::Deadline;

/// The model's file name in the recognizer folder.
pub const MODEL_FILE: &str = "ch_PP-OCRv4_rec_infer.onnx";
/// The ONNX Runtime library's file name in the recognizer folder.
pub const LIB_FILE: &str = "libonnxruntime.so";
/// Height of the model's input, pixels.
const INPUT_HEIGHT: usize = 48;
/// Width of the input one output timestep covers, pixels.
const TIMESTEP_PX: usize = 8;
/// Narrowest input (the model's own default shape is 48 × 320).
const MIN_INPUT_WIDTH: usize = 320;
/// Widest input: a line longer than this (after scaling to height 48) is
/// squeezed; a full-width line of the form is about 2,400.
const MAX_INPUT_WIDTH: usize = 3200;
/// Lines read in one model call (padded to the widest of them); lines are
/// sorted by width first, so little is padding.
const BATCH: usize = 8;

/// Whether `dir` holds the recognizer's two files.
pub fn installed_in(dir: &Path) -> bool {
    dir.join(MODEL_FILE).is_file() && dir.join(LIB_FILE).is_file()
}

/// The system-wide folders the recognizer's files are looked for in
/// ([`super::OcrSettings::ppocr_dirs`]'s default).
pub const SYSTEM_DIRS: [&str; 2] = ["/usr/local/share/shenbao/ppocr", "/usr/share/shenbao/ppocr"];

/// The first of `dirs` that holds the recognizer's two files.
pub fn find_dir(dirs: &[PathBuf]) -> Option<PathBuf> {
    dirs.iter().find(|d| installed_in(d)).cloned()
}

/// One recognized character: its text, the span of the line image it was
/// read at (pixels of the line image given), and its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChar {
    /// The recognized character.
    pub ch: char,
    /// Left end of its span, pixels of the line image.
    pub x0: f64,
    /// Right end of its span, pixels of the line image.
    pub x1: f64,
    /// Its probability, 0..1.
    pub conf: f64,
}

static RUNTIME: OnceLock<Result<(), String>> = OnceLock::new();

/// Loads the ONNX Runtime library of `dir` once per process. A library
/// that cannot be loaded (wrong file, wrong version) is an `Err`, not a
/// panic: `ort` panics there, and the panic is caught.
fn load_runtime(dir: &Path) -> Result<(), String> {
    RUNTIME
        .get_or_init(|| {
            let lib = dir.join(LIB_FILE);
            let load = || -> Result<(), String> {
                ort::init_from(lib.display().to_string())
                    .with_name("shenbao")
                    .commit()
                    .map_err(|e| e.to_string())?;
                // forces the library to load and its version to be checked
                let _ = ort::info();
                Ok(())
            };
            std::panic::catch_unwind(load).unwrap_or_else(|p| {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!("cannot load {}: {msg}", lib.display()))
            })
        })
        .clone()
}

/// A loaded model and its character set (class 0 is CTC's blank; the last
/// class is a space).
struct Model {
    dir: PathBuf,
    session: ort::session::Session,
    charset: Arc<Vec<char>>,
}

thread_local! {
    // One session per thread: `Session::run` needs it alone, and files are
    // read on many threads at once (each session single-threaded).
    static MODEL: RefCell<Option<Model>> = const { RefCell::new(None) };
}

fn open_model(dir: &Path) -> Result<Model, String> {
    load_runtime(dir)?;
    let path = dir.join(MODEL_FILE);
    let err = |e: ort::Error| format!("{}: {e}", path.display());
    let session = ort::session::Session::builder()
        .map_err(err)?
        .with_intra_threads(1)
        .map_err(err)?
        .with_inter_threads(1)
        .map_err(err)?
        .commit_from_file(&path)
        .map_err(err)?;
    let chars = session
        .metadata()
        .map_err(err)?
        .custom("character")
        .map_err(err)?
        .ok_or_else(|| format!("{}: no character set in the model", path.display()))?;
    let mut charset: Vec<char> = vec!['\0'];
    for line in chars.lines() {
        let mut it = line.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => charset.push(c),
            _ => {
                return Err(format!(
                    "{}: bad character set entry {line:?}",
                    path.display()
                ));
            }
        }
    }
    charset.push(' ');
    Ok(Model {
        dir: dir.to_path_buf(),
        session,
        charset: Arc::new(charset),
    })
}

/// The model's input for one line: the image scaled to height 48 (aspect
/// kept, at most [`MAX_INPUT_WIDTH`]), gray copied to the three channels,
/// `p / 127.5 - 1`, right-padded with 0 to `width`. Returns the values
/// (channel-major) and the scaled width.
fn line_to_tensor(img: &GrayImage, width: usize) -> (Vec<f32>, usize) {
    let h = INPUT_HEIGHT;
    let w = scaled_width(img).min(width);
    let mut plane = vec![0f32; h * width];
    let (fx, fy) = (img.width as f64 / w as f64, img.height as f64 / h as f64);
    for y in 0..h {
        let sy = ((y as f64 + 0.5) * fy - 0.5).clamp(0.0, (img.height - 1) as f64);
        for x in 0..w {
            let sx = ((x as f64 + 0.5) * fx - 0.5).clamp(0.0, (img.width - 1) as f64);
            plane[y * width + x] = sample(img, sx, sy) / 127.5 - 1.0;
        }
    }
    let mut out = Vec::with_capacity(3 * h * width);
    for _ in 0..3 {
        out.extend_from_slice(&plane);
    }
    (out, w)
}

/// Bilinear sample at (`sx`, `sy`), held inside the image. Not
/// [`super::image::bilinear`]: that one rounds to a level and has no value
/// on the last row and column; the model reads unrounded values up to the
/// edge (using it changed 45 fields of the scanned and degraded sets).
fn sample(img: &GrayImage, sx: f64, sy: f64) -> f32 {
    let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(img.width - 1), (y0 + 1).min(img.height - 1));
    let (fx, fy) = ((sx - x0 as f64) as f32, (sy - y0 as f64) as f32);
    let p = |x: usize, y: usize| img.data[y * img.width + x] as f32;
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bot * fy
}

fn scaled_width(img: &GrayImage) -> usize {
    let w = (INPUT_HEIGHT as f64 * img.width as f64 / img.height.max(1) as f64).ceil() as usize;
    w.clamp(1, MAX_INPUT_WIDTH)
}

/// Greedy CTC decoding of one line's output (`steps` rows of `classes`
/// probabilities): the most probable class per timestep, repeats merged,
/// blanks dropped. Each character's span is its timesteps' (in pixels of
/// the scaled input, `TIMESTEP_PX` each), its confidence the highest
/// probability over them.
fn ctc_decode(probs: &[f32], steps: usize, classes: usize, charset: &[char]) -> Vec<LineChar> {
    let mut out: Vec<LineChar> = Vec::new();
    let mut prev = 0usize;
    for t in 0..steps {
        let row = &probs[t * classes..(t + 1) * classes];
        let (best, p) = row
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        let (x0, x1) = ((t * TIMESTEP_PX) as f64, ((t + 1) * TIMESTEP_PX) as f64);
        if best != 0 && best == prev {
            if let Some(last) = out.last_mut() {
                last.x1 = x1;
                last.conf = last.conf.max(p as f64);
            }
        } else if best != 0 {
            let ch = charset.get(best).copied().unwrap_or('\u{FFFD}');
            out.push(LineChar {
                ch,
                x0,
                x1,
                conf: p as f64,
            });
        }
        prev = best;
    }
    out
}

/// The run options the model calls of one page share: once the file's
/// deadline passes, [`Calls::within`] sets their terminate flag and a call
/// in flight returns within milliseconds (an error) instead of finishing
/// its batch, which takes up to a second a batch on a busy machine.
pub struct Calls(ort::session::RunOptions);

impl Calls {
    /// Options for the recognizer of `dir` (its runtime loaded first).
    pub fn new(dir: &Path) -> Result<Self, String> {
        load_runtime(dir)?;
        ort::session::RunOptions::new()
            .map(Calls)
            .map_err(|e| format!("PP-OCR recognizer: {e}"))
    }

    /// Runs `f` while a watcher thread terminates the calls once
    /// `deadline` has passed (read again as it grows). With no deadline,
    /// just `f`.
    pub fn within<T>(&self, deadline: Option<&Deadline>, f: impl FnOnce(&Self) -> T) -> T {
        let Some(d) = deadline else {
            return f(self);
        };
        let (done, finished) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                use std::sync::mpsc::RecvTimeoutError::Timeout;
                loop {
                    let left = d.at().saturating_duration_since(std::time::Instant::now());
                    match finished.recv_timeout(left) {
                        Err(Timeout) if d.expired() => {
                            let _ = self.0.terminate();
                            return;
                        }
                        Err(Timeout) => continue,
                        _ => return,
                    }
                }
            });
            let out = f(self);
            drop(done);
            out
        })
    }
}

/// Reads text lines (each image one line of text, any size): per line, its
/// characters with their spans in pixels of that line's image. `dir` is the
/// recognizer folder ([`find_dir`]); `calls` the page's run options (a
/// terminated call is an `Err`).
pub fn read_lines(
    dir: &Path,
    lines: &[GrayImage],
    calls: &Calls,
) -> Result<Vec<Vec<LineChar>>, String> {
    MODEL.with(|m| {
        let mut m = m.borrow_mut();
        if m.as_ref().is_none_or(|m| m.dir != dir) {
            *m = Some(open_model(dir)?);
        }
        let model = m.as_mut().expect("model opened above");
        let mut order: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].width > 0 && lines[i].height > 0)
            .collect();
        order.sort_by_key(|&i| scaled_width(&lines[i]));
        let mut out = vec![Vec::new(); lines.len()];
        for batch in order.chunks(BATCH) {
            let read = read_batch(model, lines, batch, calls)?;
            for (&i, chars) in batch.iter().zip(read) {
                out[i] = chars;
            }
        }
        Ok(out)
    })
}

/// One model call over the lines `batch` (indices into `lines`).
fn read_batch(
    model: &mut Model,
    lines: &[GrayImage],
    batch: &[usize],
    calls: &Calls,
) -> Result<Vec<Vec<LineChar>>, String> {
    let width = batch
        .iter()
        .map(|&i| scaled_width(&lines[i]))
        .max()
        .unwrap_or(1)
        .max(MIN_INPUT_WIDTH)
        .div_ceil(TIMESTEP_PX)
        * TIMESTEP_PX;
    let mut data = Vec::with_capacity(batch.len() * 3 * INPUT_HEIGHT * width);
    let mut scale = Vec::with_capacity(batch.len());
    for &i in batch {
        let (v, w) = line_to_tensor(&lines[i], width);
        data.extend_from_slice(&v);
        scale.push(lines[i].width as f64 / w as f64);
    }
    let shape = [batch.len(), 3, INPUT_HEIGHT, width];
    let err = |e: ort::Error| format!("PP-OCR recognizer: {e}");
    let input = ort::value::Tensor::from_array((shape, data)).map_err(err)?;
    let outputs = model
        .session
        .run_with_options(ort::inputs![input], &calls.0)
        .map_err(err)?;
    let (dims, probs) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
    if dims.len() != 3 || dims[0] as usize != batch.len() {
        return Err(format!(
            "PP-OCR recognizer: unexpected output shape {dims:?}"
        ));
    }
    let (steps, classes) = (dims[1] as usize, dims[2] as usize);
    if classes != model.charset.len() {
        return Err(format!(
            "PP-OCR recognizer: {classes} classes, character set of {}",
            model.charset.len()
        ));
    }
    let per = steps * classes;
    Ok((0..batch.len())
        .map(|b| {
            ctc_decode(
                &probs[b * per..(b + 1) * per],
                steps,
                classes,
                &model.charset,
            )
            .into_iter()
            .map(|c| LineChar {
                x0: c.x0 * scale[b],
                x1: c.x1 * scale[b],
                ..c
            })
            .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_decode_merges_repeats_and_drops_blanks() {
        // classes: blank, 'a', 'b', space; timesteps a a blank a b b
        let charset = ['\0', 'a', 'b', ' '];
        let rows: [[f32; 4]; 6] = [
            [0.1, 0.8, 0.1, 0.0],
            [0.1, 0.9, 0.0, 0.0],
            [0.9, 0.1, 0.0, 0.0],
            [0.2, 0.7, 0.1, 0.0],
            [0.1, 0.0, 0.6, 0.3],
            [0.0, 0.0, 0.95, 0.05],
        ];
        let probs: Vec<f32> = rows.iter().flatten().copied().collect();
        let got = ctc_decode(&probs, 6, 4, &charset);
        let text: String = got.iter().map(|c| c.ch).collect();
        assert_eq!(text, "aab");
        assert_eq!((got[0].x0, got[0].x1), (0.0, 16.0));
        assert!((got[0].conf - 0.9).abs() < 1e-6);
        assert_eq!((got[2].x0, got[2].x1), (32.0, 48.0));
        assert!((got[2].conf - 0.95).abs() < 1e-6);
    }

    #[test]
    fn line_to_tensor_scales_to_height_48_and_pads_with_zero() {
        let mut img = GrayImage::new(100, 24, 255);
        img.set(0, 0, 0);
        let (v, w) = line_to_tensor(&img, 320);
        assert_eq!(w, 200);
        assert_eq!(v.len(), 3 * 48 * 320);
        assert!(
            (v[0] - -1.0).abs() < 0.6,
            "dark corner stays dark: {}",
            v[0]
        );
        assert!((v[47 * 320 + 100] - 1.0).abs() < 1e-6, "paper is 1");
        assert_eq!(v[319], 0.0, "padding is 0");
    }
}
