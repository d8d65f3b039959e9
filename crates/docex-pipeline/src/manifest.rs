//! The run manifest: an SQLite database in the output folder that remembers every
//! document by content hash (queued, running, done, failed, quarantined; attempts,
//! error, timings) and holds the finished rows of the output tables.
//!
//! The tables in the output folder are always regenerated from here, atomically
//! (see `docex_output::write_atomically`), so a run killed at any moment loses at most
//! the documents in flight: they are still `running` and the next run redoes them.
//! One transaction per finished document is the append-only log; the CSV files are
//! its consolidation.

use std::io::Read;
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
    /// The document name it was first processed under.
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
        Ok(Manifest { conn, path })
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

    /// Records a finished document and its rows in one transaction. `hash` is
    /// `None` for inputs that could not even be read (their row is kept, nothing
    /// else). `status` is `None` for rows that describe no extraction of their own
    /// (a duplicate's row).
    pub fn finish(
        &mut self,
        hash: Option<&str>,
        status: Option<(Status, Option<&str>)>,
        rows: &DocumentRows,
    ) -> Result<(), ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        if let (Some(hash), Some((status, error))) = (hash, status) {
            tx.execute(
                "UPDATE documents SET status = ?2, error = ?3, finished_at = ?4,
                    seconds = ?4 - COALESCE(started_at, ?4)
                 WHERE hash = ?1",
                params![hash, status.as_str(), error, now()],
            )
            .map_err(err)?;
        }
        let entity_rows = serde_json::to_string(&rows.entity_rows).expect("strings serialise");
        tx.execute(
            "INSERT INTO rows (document, hash, document_row, entity_rows) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(document) DO UPDATE SET hash = excluded.hash,
                document_row = excluded.document_row, entity_rows = excluded.entity_rows",
            params![
                rows.document,
                hash,
                serde_json::to_string(&rows.document_row).expect("strings serialise"),
                entity_rows
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Every stored document's rows, in document-name order (path components
    /// compared one by one, as the input folders are walked).
    pub fn rows(&self) -> Result<Vec<DocumentRows>, ManifestError> {
        let mut stmt = self
            .conn
            .prepare("SELECT document, document_row, entity_rows FROM rows")
            .map_err(self.err())?;
        let raw: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let corrupt = |e: serde_json::Error| ManifestError::Corrupt {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let mut out = raw
            .into_iter()
            .map(|(document, d, e)| {
                Ok(DocumentRows {
                    document,
                    document_row: serde_json::from_str(&d).map_err(corrupt)?,
                    entity_rows: serde_json::from_str(&e).map_err(corrupt)?,
                })
            })
            .collect::<Result<Vec<_>, ManifestError>>()?;
        out.sort_by(|a, b| Path::new(&a.document).cmp(Path::new(&b.document)));
        Ok(out)
    }

    /// The content hash of each stored row's document, where known.
    pub fn row_hashes(&self) -> Result<std::collections::HashMap<String, String>, ManifestError> {
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
        let mut stmt = self
            .conn
            .prepare("SELECT document, document_row, entity_rows FROM rows WHERE hash = ?1")
            .map_err(self.err())?;
        let raw: Vec<(String, String, String)> = stmt
            .query_map(params![hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let corrupt = |e: serde_json::Error| ManifestError::Corrupt {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        raw.into_iter()
            .map(|(document, d, e)| {
                Ok(DocumentRows {
                    document,
                    document_row: serde_json::from_str(&d).map_err(corrupt)?,
                    entity_rows: serde_json::from_str(&e).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// Copies every document and row of `other` that this manifest lacks
    /// (`docex merge`); returns how many rows were added.
    pub fn absorb(&mut self, other: &Path) -> Result<usize, ManifestError> {
        let path = self.path.clone();
        let err = |source| ManifestError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "ATTACH DATABASE ?1 AS other",
            params![other.to_string_lossy()],
        )
        .map_err(err)?;
        tx.execute(
            "INSERT OR IGNORE INTO documents SELECT * FROM other.documents",
            [],
        )
        .map_err(err)?;
        let added = tx
            .execute("INSERT OR IGNORE INTO rows SELECT * FROM other.rows", [])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        self.conn
            .execute("DETACH DATABASE other", [])
            .map_err(err)?;
        Ok(added)
    }
}

/// The content hash of a file (BLAKE3, hex): a document's identity across names,
/// runs and machines.
pub fn content_hash(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hasher.finalize().to_hex().to_string(), size))
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
    /// Whether the document with this hash (hex, as [`content_hash`] gives it) is
    /// this shard's.
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

#[cfg(test)]
mod tests {
    use super::*;

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
        )
        .unwrap();
        m.start("h1", "a.pdf", 10).unwrap();
        m.finish(
            Some("h1"),
            Some((Status::Done, None)),
            &rows("a.pdf", "2.00"),
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
            m.finish(None, None, &rows(d, "")).unwrap();
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
        ma.finish(Some("h1"), Some((Status::Done, None)), &rows("x.txt", "1"))
            .unwrap();
        mb.start("h2", "y.txt", 1).unwrap();
        mb.finish(
            Some("h2"),
            Some((Status::Failed, Some("bad"))),
            &rows("y.txt", ""),
        )
        .unwrap();
        drop(mb);
        assert_eq!(ma.absorb(&b.path().join(MANIFEST_FILE)).unwrap(), 1);
        assert_eq!(ma.rows().unwrap().len(), 2);
        assert_eq!(ma.known("h2").unwrap().unwrap().status, Status::Failed);
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
