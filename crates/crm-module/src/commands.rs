//! Commands: what a module adds to the server's command line, beside `serve` and `migrate`
//! (`crm-server import bills FILE.xml`, `crm-server export bills`). The server lists every
//! module's commands (`crm-server commands`, `crm-server --help`) and runs the one whose
//! words begin the command line, with what follows them as its arguments, over the whole
//! application assembled as for serving ([`CommandContext`]) but without listening.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::{Assembled, ModuleContext};

/// A command a module offers ([`crate::Module::commands`]).
#[async_trait]
pub trait Command: Send + Sync {
    /// Its words on the command line (`import bills`), unique among every module's.
    fn name(&self) -> &'static str;

    /// One line saying what it does, for the listing.
    fn about(&self) -> &'static str;

    /// Its arguments, after its name, for the usage line (`FILE.xml`).
    fn usage(&self) -> &'static str;

    /// Runs it with `args`, what follows its name on the command line. What it reports goes
    /// to `ctx.console`; an error stops the process with a non-zero status.
    async fn run(&self, ctx: &CommandContext, args: &[String]) -> Result<(), CommandError>;
}

/// Why a command did not do its work.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The arguments do not read (status 2; the usage line is shown).
    #[error("{0}")]
    Usage(String),
    /// The command could not do its work: a file that cannot be read, a database that fails
    /// (status 1).
    #[error("{0}")]
    Failed(String),
}

impl CommandError {
    /// The process exit status the error stands for.
    pub fn status(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Failed(_) => 1,
        }
    }
}

/// What a command runs over: the module context (store, type registry, clock, settings
/// sections), the assembled application (every service and hook, the router configuration)
/// and the console.
pub struct CommandContext {
    /// The store, the registry, the clock and the settings, as every module built from.
    pub module: ModuleContext,
    /// Every service, hook and the router configuration of the application.
    pub app: Assembled,
    /// Where the command writes.
    pub console: Console,
}

impl std::fmt::Debug for CommandContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandContext")
            .field("app", &self.app)
            .field("console", &self.console)
            .finish_non_exhaustive()
    }
}

/// A stream a command writes to.
pub type Stream = Box<dyn Write + Send>;

/// A command's standard output (what it produces: an export's XML, an import's report) and
/// standard error (progress, a summary beside produced output), and whether standard error
/// is a terminal (progress bars there; plain periodic lines otherwise).
#[derive(Clone)]
pub struct Console {
    out: Arc<Mutex<Stream>>,
    err: Arc<Mutex<Stream>>,
    terminal: bool,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("terminal", &self.terminal)
            .finish_non_exhaustive()
    }
}

impl Console {
    /// The process's own standard output and error.
    pub fn process() -> Self {
        use std::io::IsTerminal;
        Self::new(
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
            std::io::stderr().is_terminal(),
        )
    }

    /// A console over `out` and `err` (a test's buffers); `terminal`: whether `err` is a
    /// terminal.
    pub fn new(out: Stream, err: Stream, terminal: bool) -> Self {
        Self {
            out: Arc::new(Mutex::new(out)),
            err: Arc::new(Mutex::new(err)),
            terminal,
        }
    }

    /// Standard output, locked.
    pub fn out(&self) -> MutexGuard<'_, Stream> {
        self.out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Standard error, locked.
    pub fn err(&self) -> MutexGuard<'_, Stream> {
        self.err
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether standard error is a terminal.
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }
}

/// A buffer a [`Console`] may write to, read back by whoever holds a clone (tests).
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// What was written, as text (lossily).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    /// What was written.
    pub fn bytes(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Forgets what was written.
    pub fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The command of `commands` that `words` (a command line without the program name) names,
/// and the arguments that follow its name; `None` when no command's words begin it. The
/// command with the most words wins.
pub fn find<'a>(
    commands: &'a [Arc<dyn Command>],
    words: &'a [String],
) -> Option<(&'a Arc<dyn Command>, &'a [String])> {
    commands
        .iter()
        .filter_map(|command| {
            let name: Vec<&str> = command.name().split_whitespace().collect();
            let matches = words.len() >= name.len()
                && name.iter().zip(words).all(|(word, given)| word == given);
            matches.then(|| (command, &words[name.len()..], name.len()))
        })
        .max_by_key(|(_, _, length)| *length)
        .map(|(command, args, _)| (command, args))
}

/// The listing of `commands`: one line each, its name, usage and what it does.
pub fn listing(commands: &[Arc<dyn Command>]) -> String {
    let heads: Vec<String> = commands
        .iter()
        .map(|command| format!("{} {}", command.name(), command.usage()))
        .collect();
    let width = heads.iter().map(|h| h.chars().count()).max().unwrap_or(0);
    let mut lines: Vec<String> = heads
        .iter()
        .zip(commands)
        .map(|(head, command)| format!("  {head:<width$}  {}", command.about()))
        .collect();
    lines.sort();
    lines.join("\n")
}
