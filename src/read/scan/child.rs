//! The OCR tools (pdftoppm, tesseract) run as child processes within the
//! file's deadline: each in a process group of its own, killed with the
//! group once the deadline passes, and reaped before the call returns; a
//! tool also dies with the process that started it (`PR_SET_PDEATHSIG`),
//! so no tool outlives the file that started it.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{RecvTimeoutError, channel};

use crate::read::pdf::Deadline;

/// What went wrong running a tool.
#[derive(Debug)]
pub enum ChildError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// Killed at the deadline.
    TimedOut,
    /// Its output could not be read.
    Io(std::io::Error),
}

/// Runs `cmd` with `input` on its stdin (nothing when `None`), collecting
/// stdout and stderr, until `deadline` (none: until it ends).
pub fn output_within(
    cmd: &mut Command,
    input: Option<Vec<u8>>,
    deadline: Option<&Deadline>,
) -> Result<Output, ChildError> {
    if deadline.is_some_and(|d| d.expired()) {
        return Err(ChildError::TimedOut);
    }
    let stdin = if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl, getppid and _exit are async-signal-safe. The tool
    // dies with the thread that started it, which waits for it: so also
    // when this process dies (a worker aborting at its memory budget).
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let mut child = cmd
        .process_group(0)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(ChildError::Spawn)?;
    let pid = child.id() as i32;
    // A thread that cannot be started (memory nearly spent under a
    // worker's cap) fails the call, not the process: the tool is killed.
    let stop = |e: std::io::Error| {
        // SAFETY: kill(2) of the group the child leads, not yet reaped.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        ChildError::Io(e)
    };
    let writer = match (child.stdin.take(), input) {
        (Some(mut pipe), Some(data)) => Some(
            std::thread::Builder::new()
                .spawn(move || {
                    let _ = pipe.write_all(&data);
                })
                .map_err(stop)?,
        ),
        _ => None,
    };
    let (tx, rx) = channel();
    let waiter = std::thread::Builder::new().spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    if let Err(e) = waiter {
        // The child went with the closure: killed, it stays a zombie
        // until this process ends (a worker at its cap ends soon).
        return Err(stop(e));
    }
    let got = match deadline {
        Some(d) => rx.recv_timeout(d.at().saturating_duration_since(std::time::Instant::now())),
        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
    };
    let result = match got {
        Ok(out) => out.map_err(ChildError::Io),
        Err(RecvTimeoutError::Timeout) => {
            // SAFETY: kill(2) of the group the child leads; it is not
            // reaped yet (the waiter still waits), so the id is still its.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            let _ = rx.recv();
            Err(ChildError::TimedOut)
        }
        Err(RecvTimeoutError::Disconnected) => Err(ChildError::Io(std::io::Error::other(
            "the thread reading its output ended without a result",
        ))),
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_tool_past_the_deadline_is_killed_with_its_children() {
        // A shell whose own child would outlive it if only it were killed.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30.4711 & sleep 30.4711; wait"]);
        let t = Instant::now();
        let r = output_within(
            &mut cmd,
            None,
            Some(&Deadline::after(Duration::from_millis(200))),
        );
        assert!(matches!(r, Err(ChildError::TimedOut)), "{r:?}");
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        // Both sleeps are gone: the group was killed.
        std::thread::sleep(Duration::from_millis(100));
        let alive = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
            .filter(|c| c.windows(7).any(|w| w == b"30.4711"))
            .count();
        assert_eq!(alive, 0);
    }

    #[test]
    fn a_tool_within_the_deadline_gives_its_output() {
        let mut cmd = Command::new("cat");
        let out = output_within(
            &mut cmd,
            Some(b"bytes in".to_vec()),
            Some(&Deadline::after(Duration::from_secs(10))),
        )
        .unwrap();
        assert_eq!(out.stdout, b"bytes in");
        assert!(out.status.success());
    }
}
