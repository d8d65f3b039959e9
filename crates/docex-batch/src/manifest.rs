//! The run manifest: an SQLite database in the output folder that remembers every
//! document by content hash (queued, running, done, failed, quarantined; attempts,
//! error, timings), keeps each content's extracted rows by that hash (`results`), and
//! ties each document name in the tables to the content it holds now (`rows`).
//!
//! A name and its content are apart on purpose: a file renamed, copied or given
//! another file's old content shows that content's results without a new
//! extraction, and a name whose content changed is extracted again.
//!
//! The tables in the output folder are always regenerated from here, atomically
//! (see `docex_output::write_atomically`), so a run killed at any moment loses at most
//! the documents in flight: they are still `running` and the next run redoes them.
//! One transaction per finished document is the append-only log; the CSV files are
//! its consolidation.

use std::collections::{HashMap, HashSet};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use docex_core::DocumentRows;
use rusqlite::{params, Connection, OptionalExtension};
use thiserror::Error;

/// The database's file name in the output folder.
pub const MANIFEST_FILE: &str = "manifest.sqlite";

/// Manifest failures.
#[derive(Debug, Error)]
pub enum ManifestError {
    /// The database could not be opened or written.
    #[error("manifest {path}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored row is not what this version writes.
    #[error("manifest {path}: bad stored row: {reason}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Where a document is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Handed to a worker; still `running` after a crash of the whole run.
    Running,
    /// Extracted; its rows are in the tables.
    Done,
    /// Read but not extractable (corrupt, encrypted, too large): an error row.
    Failed,
    /// Crashed its worker twice or ran past the time limit: an error row, and not
    /// retried unless asked.
    Quarantined,
}

impl Status {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Quarantined => "quarantined",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "quarantined" => Status::Quarantined,
            _ => return None,
        })
    }
}

/// What the manifest knows of one content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    /// Its status.
    pub status: Status,
    /// The document name it was last handed to a worker under.
    pub document: String,
    /// How many times a worker started on it.
    pub attempts: u32,
}

/// An open manifest.
#[derive(Debug)]
pub struct Manifest {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    hash        TEXT PRIMARY KEY,
    document    TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    size        INTEGER,
    started_at  REAL,
    finished_at REAL,
    seconds     REAL
);
CREATE TABLE IF NOT EXISTS rows (
    document     TEXT PRIMARY KEY,
    hash         TEXT,
    document_row TEXT NOT NULL,
    entity_rows  TEXT NOT NULL
);
";

/// Added in the second version of the schema; [`Manifest::open`] adds them to a
/// manifest of the first (whose `rows` held the only copy of each extraction).
const SCHEMA_V2: &str = "
CREATE TABLE IF NOT EXISTS results (
    hash         TEXT PRIMARY KEY,
    document_row TEXT NOT NULL,
    entity_rows  TEXT NOT NULL
);
";

/// The extractions a first-version manifest `{db}` holds: its rows that are not
/// a duplicate's.
const V1_RESULTS: &str = "SELECT hash, document_row, entity_rows FROM {db}.rows
    WHERE hash IS NOT NULL AND json_extract(document_row, '$[1]') <> 'duplicate'";

fn has_table(conn: &Connection, db: &str, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        &format!("SELECT 1 FROM {db}.sqlite_master WHERE type = 'table' AND name = ?1"),
        params![table],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
}

fn has_column(conn: &Connection, db: &str, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT 1 FROM pragma_table_info(?1, ?2) WHERE name = ?3",
        params![table, db, column],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
}

/// A path as stored (its bytes: file names need not be UTF-8).
fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_bytes()
}

/// `name (n).ext`: the `n`th name for a document whose name is taken by other
/// content (`n` from 2; 1 is the name itself).
fn numbered(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_owned();
    }
    let p = Path::new(name);
    match (p.file_stem(), p.extension()) {
        (Some(stem), Some(ext)) => p
            .with_file_name(format!(
                "{} ({n}).{}",
                stem.to_string_lossy(),
                ext.to_string_lossy()
            ))
            .to_string_lossy()
            .into_owned(),
        _ => format!("{name} ({n})"),
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Manifest {
    /// Opens (or creates) the manifest in `dir`.
    pub fn open(dir: &Path) -> Result<Manifest, ManifestError> {
        let path = dir.join(MANIFEST_FILE);
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(err)?;
        // WAL: readers (merge, a user's sqlite3) never block the run. NORMAL sync: a
        // commit survives the process being killed; a power cut may lose the last
        // few, which are then still `running` and are redone, never doubled.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let mut manifest = Manifest { conn, path };
        manifest.migrate()?;
        Ok(manifest)
    }

    /// Brings a manifest of the first schema up to this one, in one transaction:
    /// `rows` gets the `source` column (the file a row describes) and the
    /// extractions move into `results` by hash (a duplicate's row is no extraction).
    fn migrate(&mut self) -> Result<(), ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let had_results = has_table(&tx, "main", "results").map_err(err)?;
        tx.execute_batch(SCHEMA_V2).map_err(err)?;
        if !has_column(&tx, "main", "rows", "source").map_err(err)? {
            tx.execute("ALTER TABLE rows ADD COLUMN source BLOB", [])
                .map_err(err)?;
        }
        if !had_results {
            tx.execute(
                &format!(
                    "INSERT OR IGNORE INTO results {}",
                    V1_RESULTS.replace("{db}", "main")
                ),
                [],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> ManifestError + '_ {
        |source| ManifestError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// What is known of a content hash.
    pub fn known(&self, hash: &str) -> Result<Option<Known>, ManifestError> {
        let row = self
            .conn
            .query_row(
                "SELECT status, document, attempts FROM documents WHERE hash = ?1",
                params![hash],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u32>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(self.err())?;
        row.map(|(status, document, attempts)| {
            Ok(Known {
                status: Status::parse(&status).ok_or_else(|| ManifestError::Corrupt {
                    path: self.path.clone(),
                    reason: format!("status {status:?}"),
                })?,
                document,
                attempts,
            })
        })
        .transpose()
    }

    /// Whether the tables hold a row for `document`.
    pub fn has_rows(&self, document: &str) -> Result<bool, ManifestError> {
        self.conn
            .query_row(
                "SELECT 1 FROM rows WHERE document = ?1",
                params![document],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(self.err())
    }

    /// Marks a document as handed to a worker (one more attempt).
    pub fn start(&self, hash: &str, document: &str, size: u64) -> Result<(), ManifestError> {
        self.conn
            .execute(
                "INSERT INTO documents (hash, document, status, attempts, size, started_at)
                 VALUES (?1, ?2, 'running', 1, ?3, ?4)
                 ON CONFLICT(hash) DO UPDATE SET
                    document = excluded.document, status = 'running',
                    attempts = attempts + 1, error = NULL, started_at = excluded.started_at",
                params![hash, document, size as i64, now()],
            )
            .map(drop)
            .map_err(self.err())
    }

    /// The content hash the row named `document` describes: `None` when the
    /// tables have no such row, `Some(None)` for a file that could not be read.
    pub fn row_hash(&self, document: &str) -> Result<Option<Option<String>>, ManifestError> {
        self.conn
            .query_row(
                "SELECT hash FROM rows WHERE document = ?1",
                params![document],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    /// Records a document's end and its rows in one transaction. `hash` is
    /// `None` for inputs that could not even be read (their row is kept, nothing
    /// else). `status` is `None` for rows that describe no extraction of their own
    /// (a duplicate's, or a name given content extracted before); with a status the
    /// rows are also kept as the extraction of `hash`, whatever name it later has.
    /// `source` is the file the row describes (see [`Manifest::forget_missing`]).
    pub fn finish(
        &mut self,
        hash: Option<&str>,
        status: Option<(Status, Option<&str>)>,
        rows: &DocumentRows,
        source: Option<&Path>,
    ) -> Result<(), ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let document_row = serde_json::to_string(&rows.document_row).expect("strings serialise");
        let entity_rows = serde_json::to_string(&rows.entity_rows).expect("strings serialise");
        let tx = self.conn.transaction().map_err(err)?;
        if let (Some(hash), Some((status, error))) = (hash, status) {
            // an upsert: the bytes a worker read may hash to other content than
            // the file had when it was handed out
            tx.execute(
                "INSERT INTO documents (hash, document, status, attempts, error, finished_at, seconds)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, 0)
                 ON CONFLICT(hash) DO UPDATE SET status = excluded.status,
                    error = excluded.error, finished_at = excluded.finished_at,
                    seconds = excluded.finished_at - COALESCE(started_at, excluded.finished_at)",
                params![hash, rows.document, status.as_str(), error, now()],
            )
            .map_err(err)?;
            tx.execute(
                "INSERT INTO results (hash, document_row, entity_rows) VALUES (?1, ?2, ?3)
                 ON CONFLICT(hash) DO UPDATE SET document_row = excluded.document_row,
                    entity_rows = excluded.entity_rows",
                params![hash, document_row, entity_rows],
            )
            .map_err(err)?;
        }
        tx.execute(
            "INSERT INTO rows (document, hash, document_row, entity_rows, source)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(document) DO UPDATE SET hash = excluded.hash,
                document_row = excluded.document_row, entity_rows = excluded.entity_rows,
                source = COALESCE(excluded.source, source)",
            params![
                rows.document,
                hash,
                document_row,
                entity_rows,
                source.map(path_bytes)
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Notes that the row named `document` describes the file at `source` (a file
    /// skipped as done keeps its row up to date with where it is).
    pub fn set_source(&self, document: &str, source: &Path) -> Result<(), ManifestError> {
        self.conn
            .execute(
                "UPDATE rows SET source = ?2 WHERE document = ?1 AND source IS NOT ?2",
                params![document, path_bytes(source)],
            )
            .map(drop)
            .map_err(self.err())
    }

    /// Forgets that `hash` was handed to a worker, unless it ended: the worker
    /// read other bytes (the file changed), so this content was never extracted.
    pub fn forget_running(&self, hash: &str) -> Result<(), ManifestError> {
        self.conn
            .execute(
                "DELETE FROM documents WHERE hash = ?1 AND status = 'running'",
                params![hash],
            )
            .map(drop)
            .map_err(self.err())
    }

    /// Drops the rows of files that are gone: rows not named in `listed` whose file
    /// lies in one of `roots` (the folders and files a run was given), and rows of a
    /// first-version manifest (which recorded no file) not named in `listed`. The
    /// extractions stay, by hash: a file that comes back is not extracted again.
    /// Returns the names dropped.
    pub fn forget_missing(
        &mut self,
        roots: &[PathBuf],
        listed: &HashSet<String>,
    ) -> Result<Vec<String>, ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let rows: Vec<(String, Option<Vec<u8>>)> = {
            let mut stmt = tx
                .prepare("SELECT document, source FROM rows")
                .map_err(err)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?;
            rows
        };
        let gone: Vec<String> = rows
            .into_iter()
            .filter(|(document, _)| !listed.contains(document))
            .filter(|(_, source)| match source {
                Some(s) => {
                    let file = PathBuf::from(std::ffi::OsString::from_vec(s.clone()));
                    roots.iter().any(|r| file.starts_with(r))
                }
                None => true,
            })
            .map(|(document, _)| document)
            .collect();
        for document in &gone {
            tx.execute("DELETE FROM rows WHERE document = ?1", params![document])
                .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(gone)
    }

    /// Every stored document's rows, in document-name order (path components
    /// compared one by one, as the input folders are walked).
    pub fn rows(&self) -> Result<Vec<DocumentRows>, ManifestError> {
        let raw = self.query_rows("SELECT document, document_row, entity_rows FROM rows")?;
        let mut out: Vec<DocumentRows> = raw
            .into_iter()
            .map(|(document, rows)| DocumentRows { document, ..rows })
            .collect();
        out.sort_by(|a, b| Path::new(&a.document).cmp(Path::new(&b.document)));
        Ok(out)
    }

    /// The extraction of each content, by hash (its rows name the document it was
    /// extracted as).
    pub fn results(&self) -> Result<HashMap<String, DocumentRows>, ManifestError> {
        self.query_rows("SELECT hash, document_row, entity_rows FROM results")
            .map(|v| v.into_iter().collect())
    }

    /// The name each content was last handed to a worker under, by hash.
    pub fn extracted_as(&self) -> Result<HashMap<String, String>, ManifestError> {
        let mut stmt = self
            .conn
            .prepare("SELECT hash, document FROM documents")
            .map_err(self.err())?;
        let out = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err());
        out
    }

    /// `(key, rows)` of a query of `key, document_row, entity_rows`.
    fn query_rows(&self, sql: &str) -> Result<Vec<(String, DocumentRows)>, ManifestError> {
        self.query_rows_with(sql, [])
    }

    /// [`Manifest::query_rows`] with the query's parameters. A `documents.csv`
    /// row stored before the `empty_pages` column was added gets it, empty.
    fn query_rows_with(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(String, DocumentRows)>, ManifestError> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
        let raw: Vec<(String, String, String)> = stmt
            .query_map(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let corrupt = |e: serde_json::Error| ManifestError::Corrupt {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        raw.into_iter()
            .map(|(key, d, e)| {
                let mut document_row: Vec<String> = serde_json::from_str(&d).map_err(corrupt)?;
                if document_row.len() == ROW_BEFORE_EMPTY_PAGES {
                    // stored before documents.csv had empty_pages: not known
                    document_row.insert(EMPTY_PAGES_AT, String::new());
                }
                Ok((
                    key,
                    DocumentRows {
                        document: document_row.first().cloned().unwrap_or_default(),
                        document_row,
                        entity_rows: serde_json::from_str(&e).map_err(corrupt)?,
                    },
                ))
            })
            .collect()
    }

    /// The content hash of each stored row's document, where known.
    pub fn row_hashes(&self) -> Result<HashMap<String, String>, ManifestError> {
        let mut stmt = self
            .conn
            .prepare("SELECT document, hash FROM rows WHERE hash IS NOT NULL")
            .map_err(self.err())?;
        let out = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err());
        out
    }

    /// The stored rows whose document has this content hash (`docex watch`: is a
    /// file in the inbox one it already recorded?).
    pub fn rows_with_hash(&self, hash: &str) -> Result<Vec<DocumentRows>, ManifestError> {
        let raw = self.query_rows_with(
            "SELECT document, document_row, entity_rows FROM rows WHERE hash = ?1",
            params![hash],
        )?;
        Ok(raw
            .into_iter()
            .map(|(document, rows)| DocumentRows { document, ..rows })
            .collect())
    }

    /// Takes in the manifest of another output folder (`docex merge`), so that
    /// merging again, after a shard ran again, updates what changed:
    /// - a content known to both keeps the attempt that ended best (done, then
    ///   failed or quarantined, then running), the newest of equals, and its rows;
    /// - a document name keeps its row when its content is the same; when the name
    ///   holds other content here, the other folder's row is kept too, as
    ///   `name (2).ext` (the first such name free or already holding that content).
    ///
    /// Returns how many rows were new here.
    pub fn absorb(&mut self, other: &Path) -> Result<usize, ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        self.conn
            .execute(
                "ATTACH DATABASE ?1 AS other",
                params![other.to_string_lossy()],
            )
            .map_err(err)?;
        let absorbed = self.absorb_attached();
        let detached = self.conn.execute("DETACH DATABASE other", []).map_err(err);
        let added = absorbed?;
        detached?;
        Ok(added)
    }

    fn absorb_attached(&mut self) -> Result<usize, ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let other_results = if has_table(&self.conn, "other", "results").map_err(err)? {
            "SELECT hash, document_row, entity_rows FROM other.results".to_owned()
        } else {
            V1_RESULTS.replace("{db}", "other")
        };
        let other_source = if has_column(&self.conn, "other", "rows", "source").map_err(err)? {
            "source"
        } else {
            "NULL"
        };
        let tx = self.conn.transaction().map_err(err)?;
        const RANK: &str = "CASE {t}.status WHEN 'done' THEN 3 WHEN 'running' THEN 1 ELSE 2 END";
        let (rank_o, rank_m) = (RANK.replace("{t}", "o"), RANK.replace("{t}", "m"));
        tx.execute_batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS won (hash TEXT PRIMARY KEY);
             DELETE FROM temp.won;
             INSERT INTO temp.won SELECT o.hash FROM other.documents o
                LEFT JOIN main.documents m ON m.hash = o.hash
                WHERE m.hash IS NULL
                   OR ({rank_o}, COALESCE(o.finished_at, 0)) > ({rank_m}, COALESCE(m.finished_at, 0));
             INSERT OR REPLACE INTO main.documents
                (hash, document, status, attempts, error, size, started_at, finished_at, seconds)
                SELECT hash, document, status, attempts, error, size, started_at, finished_at, seconds
                FROM other.documents WHERE hash IN (SELECT hash FROM temp.won);
             INSERT OR REPLACE INTO main.results (hash, document_row, entity_rows)
                SELECT * FROM ({other_results}) WHERE hash IN (SELECT hash FROM temp.won);"
        ))
        .map_err(err)?;
        let incoming: Vec<StoredRow> = {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT document, hash, document_row, entity_rows, {other_source} FROM other.rows"
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?;
            rows
        };
        let mut added = 0;
        for (document, hash, document_row, entity_rows, source) in incoming {
            let mut n = 1;
            let name = loop {
                let name = numbered(&document, n);
                let here: Option<Option<String>> = tx
                    .query_row(
                        "SELECT hash FROM rows WHERE document = ?1",
                        params![name],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(err)?;
                match here {
                    None => {
                        added += 1;
                        break name;
                    }
                    Some(h) if h == hash => break name,
                    Some(_) => n += 1,
                }
            };
            let (document_row, entity_rows) = if name == document {
                (document_row, entity_rows)
            } else {
                (
                    renamed_json(&document_row, &name),
                    renamed_json(&entity_rows, &name),
                )
            };
            tx.execute(
                "INSERT INTO rows (document, hash, document_row, entity_rows, source)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(document) DO UPDATE SET document_row = excluded.document_row,
                    entity_rows = excluded.entity_rows,
                    source = COALESCE(excluded.source, source)",
                params![name, hash, document_row, entity_rows, source],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(added)
    }
}

/// A row of the `rows` table: document, hash, document_row, entity_rows, source.
type StoredRow = (String, Option<String>, String, String, Option<Vec<u8>>);

/// A stored row (a JSON array of strings) or rows (an array of such arrays) with
/// its first column, the document name, set to `name`.
fn renamed_json(json: &str, name: &str) -> String {
    let rename = |row: &mut serde_json::Value| {
        if let Some(first) = row.as_array_mut().and_then(|r| r.first_mut()) {
            *first = name.into();
        }
    };
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    match value.as_array_mut() {
        Some(rows) if rows.iter().all(serde_json::Value::is_array) && !rows.is_empty() => {
            rows.iter_mut().for_each(rename)
        }
        Some(_) => rename(&mut value),
        None => {}
    }
    value.to_string()
}

/// `--shard K/N`: this machine takes the documents whose hash falls in part K
/// (0-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, `0..count`.
    pub index: u64,
    /// Number of parts.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("shard {s:?}: expected K/N, e.g. 0/4"))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("shard {s:?}: K is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard {s:?}: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "shard {s:?}: need 0 <= K < N (K is 0-based, as JOB_COMPLETION_INDEX and SLURM_ARRAY_TASK_ID)"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the document with this hash (hex, as [`docex_core::content_hash`]
    /// gives it) is this shard's.
    pub fn takes(&self, hash: &str) -> bool {
        let head = hash.get(..16).unwrap_or(hash);
        let n = u64::from_str_radix(head, 16).unwrap_or_else(|_| {
            // not a hex hash (an unreadable file's name): hash the text itself
            u64::from_le_bytes(
                blake3::hash(hash.as_bytes()).as_bytes()[..8]
                    .try_into()
                    .expect("8 bytes"),
            )
        });
        n % self.count == self.index
    }
}

/// The cells of a `documents.csv` row before `empty_pages` came in after
/// `pages` (issue 16), and where it came in.
const ROW_BEFORE_EMPTY_PAGES: usize = 20;
const EMPTY_PAGES_AT: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_stored_before_empty_pages_reads_with_it_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::open(dir.path()).unwrap();
        let old: Vec<String> = (0..ROW_BEFORE_EMPTY_PAGES).map(|i| i.to_string()).collect();
        let stored = DocumentRows {
            document: "0".into(),
            document_row: old,
            entity_rows: Vec::new(),
        };
        m.start("h1", "0", 10).unwrap();
        m.finish(Some("h1"), Some((Status::Done, None)), &stored, None)
            .unwrap();
        let row = &m.rows().unwrap()[0].document_row;
        assert_eq!(row.len(), ROW_BEFORE_EMPTY_PAGES + 1);
        assert_eq!(row[4..7], ["4", "", "5"]);
        assert_eq!(m.results().unwrap()["h1"].document_row[EMPTY_PAGES_AT], "");
    }

    fn rows(doc: &str, total: &str) -> DocumentRows {
        DocumentRows {
            document: doc.into(),
            document_row: vec![doc.into(), "ok".into(), total.into()],
            entity_rows: vec![vec![doc.into(), "1".into()]],
        }
    }

    #[test]
    fn a_document_is_remembered_by_hash_and_its_rows_replaced_not_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::open(dir.path()).unwrap();
        assert_eq!(m.known("h1").unwrap(), None);
        m.start("h1", "a.pdf", 10).unwrap();
        assert_eq!(m.known("h1").unwrap().unwrap().status, Status::Running);
        m.finish(
            Some("h1"),
            Some((Status::Done, None)),
            &rows("a.pdf", "1.00"),
            None,
        )
        .unwrap();
        m.start("h1", "a.pdf", 10).unwrap();
        m.finish(
            Some("h1"),
            Some((Status::Done, None)),
            &rows("a.pdf", "2.00"),
            None,
        )
        .unwrap();
        drop(m);
        let m = Manifest::open(dir.path()).unwrap();
        let k = m.known("h1").unwrap().unwrap();
        assert_eq!(
            (k.status, k.attempts, k.document.as_str()),
            (Status::Done, 2, "a.pdf")
        );
        let all = m.rows().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].document_row[2], "2.00");
    }

    #[test]
    fn rows_come_back_in_folder_walk_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::open(dir.path()).unwrap();
        for d in ["b.pdf", "a-b.txt", "a/z.txt", "A.txt"] {
            m.finish(None, None, &rows(d, ""), None).unwrap();
        }
        let names: Vec<String> = m.rows().unwrap().into_iter().map(|r| r.document).collect();
        assert_eq!(names, ["A.txt", "a/z.txt", "a-b.txt", "b.pdf"]);
    }

    #[test]
    fn merging_takes_what_is_missing() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut ma = Manifest::open(a.path()).unwrap();
        let mut mb = Manifest::open(b.path()).unwrap();
        ma.start("h1", "x.txt", 1).unwrap();
        ma.finish(
            Some("h1"),
            Some((Status::Done, None)),
            &rows("x.txt", "1"),
            None,
        )
        .unwrap();
        mb.start("h2", "y.txt", 1).unwrap();
        mb.finish(
            Some("h2"),
            Some((Status::Failed, Some("bad"))),
            &rows("y.txt", ""),
            None,
        )
        .unwrap();
        drop(mb);
        assert_eq!(ma.absorb(&b.path().join(MANIFEST_FILE)).unwrap(), 1);
        assert_eq!(ma.rows().unwrap().len(), 2);
        assert_eq!(ma.known("h2").unwrap().unwrap().status, Status::Failed);
    }

    #[test]
    fn a_first_version_manifest_opens_and_keeps_its_extractions_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        {
            // the schema and rows the first version wrote
            let conn = Connection::open(dir.path().join(MANIFEST_FILE)).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute(
                "INSERT INTO documents (hash, document, status, attempts) VALUES ('h1', 'a.txt', 'done', 1)",
                [],
            )
            .unwrap();
            for (doc, status) in [("a.txt", "ok"), ("copy.txt", "duplicate")] {
                conn.execute(
                    "INSERT INTO rows VALUES (?1, 'h1', ?2, ?3)",
                    params![
                        doc,
                        serde_json::to_string(&[doc, status, "5.00"]).unwrap(),
                        serde_json::to_string(&[[doc, "1"]]).unwrap()
                    ],
                )
                .unwrap();
            }
        }
        for _ in 0..2 {
            let m = Manifest::open(dir.path()).unwrap();
            let results = m.results().unwrap();
            assert_eq!(results.len(), 1, "{results:?}");
            assert_eq!(results["h1"].document_row, ["a.txt", "ok", "5.00"]);
            assert_eq!(m.rows().unwrap().len(), 2);
        }
        let mut m = Manifest::open(dir.path()).unwrap();
        m.finish(None, None, &rows("b.txt", ""), Some(Path::new("/in/b.txt")))
            .unwrap();
        // rows the first version wrote name no file: a run that does not list them drops them
        let listed: HashSet<String> = ["a.txt".to_owned()].into();
        let gone = m
            .forget_missing(&[PathBuf::from("/elsewhere")], &listed)
            .unwrap();
        assert_eq!(gone, ["copy.txt"]);
        let gone = m.forget_missing(&[PathBuf::from("/in")], &listed).unwrap();
        assert_eq!(gone, ["b.txt"]);
    }

    #[test]
    fn merging_keeps_the_best_newest_attempt_and_every_name_and_merges_again() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut ma = Manifest::open(a.path()).unwrap();
        let mut mb = Manifest::open(b.path()).unwrap();
        let quarantined = Some((Status::Quarantined, Some("crashed")));
        ma.finish(Some("h1"), quarantined, &rows("x.txt", ""), None)
            .unwrap();
        mb.finish(
            Some("h1"),
            Some((Status::Done, None)),
            &rows("x.txt", "1"),
            None,
        )
        .unwrap();
        // the same name for other content in each folder
        ma.finish(
            Some("hA"),
            Some((Status::Done, None)),
            &rows("s.txt", "A"),
            None,
        )
        .unwrap();
        mb.finish(
            Some("hB"),
            Some((Status::Done, None)),
            &rows("s.txt", "B"),
            None,
        )
        .unwrap();
        let other = b.path().join(MANIFEST_FILE);
        assert_eq!(ma.absorb(&other).unwrap(), 1);
        assert_eq!(ma.known("h1").unwrap().unwrap().status, Status::Done);
        assert_eq!(ma.results().unwrap()["h1"].document_row[2], "1");
        let names: Vec<String> = ma.rows().unwrap().into_iter().map(|r| r.document).collect();
        assert_eq!(names, ["s (2).txt", "s.txt", "x.txt"]);
        assert_eq!(ma.row_hash("s (2).txt").unwrap(), Some(Some("hB".into())));
        // the other folder's run again: merging again updates, and adds nothing twice
        std::thread::sleep(std::time::Duration::from_millis(20));
        mb.finish(
            Some("hB"),
            Some((Status::Done, None)),
            &rows("s.txt", "B2"),
            None,
        )
        .unwrap();
        assert_eq!(ma.absorb(&other).unwrap(), 0);
        assert_eq!(ma.rows().unwrap().len(), 3);
        assert_eq!(ma.results().unwrap()["hB"].document_row[2], "B2");
        // a failed attempt never replaces a done one, however new
        mb.finish(Some("h1"), quarantined, &rows("x.txt", ""), None)
            .unwrap();
        ma.absorb(&other).unwrap();
        assert_eq!(ma.known("h1").unwrap().unwrap().status, Status::Done);
    }

    #[test]
    fn shards_split_every_hash_exactly_once() {
        let shards: Vec<Shard> = (0..3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        for i in 0..300u32 {
            let h = blake3::hash(&i.to_le_bytes()).to_hex().to_string();
            assert_eq!(shards.iter().filter(|s| s.takes(&h)).count(), 1);
        }
        let per: Vec<usize> = shards
            .iter()
            .map(|s| {
                (0..300u32)
                    .filter(|i| s.takes(&blake3::hash(&i.to_le_bytes()).to_hex()))
                    .count()
            })
            .collect();
        assert!(per.iter().all(|&n| n > 60), "{per:?}");
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
