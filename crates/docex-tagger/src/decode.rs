//! BILOU decoding: constrained Viterbi over CRF transitions, and per-token
//! marginals (forward–backward) that give each span its confidence.

/// BILOU structure of a label list: for each label, its prefix and entity type.
#[derive(Debug, Clone)]
pub struct LabelSet {
    labels: Vec<String>,
    parts: Vec<(char, String)>,
}

impl LabelSet {
    /// Parses `O`, `B-X`, `I-X`, `L-X`, `U-X` labels.
    pub fn new(labels: Vec<String>) -> LabelSet {
        let parts = labels
            .iter()
            .map(|l| match l.split_once('-') {
                Some((p, t)) if matches!(p, "B" | "I" | "L" | "U") => {
                    (p.chars().next().unwrap_or('O'), t.to_owned())
                }
                _ => ('O', String::new()),
            })
            .collect();
        LabelSet { labels, parts }
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if there are no labels.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The label's name.
    pub fn name(&self, i: usize) -> &str {
        &self.labels[i]
    }

    /// May label `b` follow label `a`?
    pub fn allowed(&self, a: usize, b: usize) -> bool {
        let (pa, ta) = &self.parts[a];
        let (pb, tb) = &self.parts[b];
        match pa {
            'B' | 'I' => matches!(pb, 'I' | 'L') && ta == tb,
            _ => matches!(pb, 'O' | 'B' | 'U'),
        }
    }

    /// May a sequence start with label `b`?
    pub fn allowed_start(&self, b: usize) -> bool {
        matches!(self.parts[b].0, 'O' | 'B' | 'U')
    }

    /// May a sequence end with label `a`?
    pub fn allowed_end(&self, a: usize) -> bool {
        matches!(self.parts[a].0, 'O' | 'L' | 'U')
    }
}

/// CRF scores with the BILOU constraints folded in (forbidden moves are `-inf`).
#[derive(Debug, Clone)]
pub struct Crf {
    n: usize,
    trans: Vec<f32>,
    /// For each label, the labels allowed before it (BILOU leaves ~900 of n² pairs).
    preds: Vec<Vec<usize>>,
    start: Vec<f32>,
    end: Vec<f32>,
    /// `exp` of `trans`, `start` and `end` (0 where forbidden), for the marginals.
    exp_trans: Vec<f32>,
    exp_start: Vec<f32>,
    exp_end: Vec<f32>,
}

impl Crf {
    /// Builds the decoder from the model's transitions (`trans[i][j]`: `j` after `i`).
    pub fn new(labels: &LabelSet, trans: &[Vec<f32>], start: &[f32], end: &[f32]) -> Crf {
        let n = labels.len();
        let mut t = vec![f32::NEG_INFINITY; n * n];
        for a in 0..n {
            for b in 0..n {
                if labels.allowed(a, b) {
                    t[a * n + b] = trans.get(a).and_then(|r| r.get(b)).copied().unwrap_or(0.0);
                }
            }
        }
        let masked = |v: &[f32], ok: &dyn Fn(usize) -> bool| -> Vec<f32> {
            (0..n)
                .map(|i| {
                    if ok(i) {
                        v.get(i).copied().unwrap_or(0.0)
                    } else {
                        f32::NEG_INFINITY
                    }
                })
                .collect()
        };
        let preds = (0..n)
            .map(|j| {
                (0..n)
                    .filter(|&i| t[i * n + j] > f32::NEG_INFINITY)
                    .collect()
            })
            .collect();
        let start = masked(start, &|i| labels.allowed_start(i));
        let end = masked(end, &|i| labels.allowed_end(i));
        let exp = |v: &[f32]| v.iter().map(|x| x.exp()).collect::<Vec<f32>>();
        Crf {
            n,
            exp_trans: exp(&t),
            exp_start: exp(&start),
            exp_end: exp(&end),
            trans: t,
            preds,
            start,
            end,
        }
    }

    /// The best label path for emissions `em` (`len × n`, row-major).
    pub fn viterbi(&self, em: &[f32]) -> Vec<usize> {
        let n = self.n;
        let len = em.len() / n;
        if len == 0 {
            return Vec::new();
        }
        let mut score: Vec<f32> = (0..n).map(|j| self.start[j] + em[j]).collect();
        let mut back = vec![0usize; len * n];
        let mut next = vec![0f32; n];
        for t in 1..len {
            for j in 0..n {
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0);
                for &i in &self.preds[j] {
                    let s = score[i] + self.trans[i * n + j];
                    if s > best {
                        best = s;
                        arg = i;
                    }
                }
                next[j] = best + em[t * n + j];
                back[t * n + j] = arg;
            }
            std::mem::swap(&mut score, &mut next);
        }
        let mut last = 0;
        let mut best = f32::NEG_INFINITY;
        for (j, (s, e)) in score.iter().zip(&self.end).enumerate() {
            if s + e > best {
                best = s + e;
                last = j;
            }
        }
        let mut path = vec![last; len];
        for t in (1..len).rev() {
            path[t - 1] = back[t * n + path[t]];
        }
        path
    }

    /// Marginal probability of each token's label on `path` (forward–backward).
    ///
    /// In linear space with the scores rescaled at every step (Rabiner's scaling):
    /// per token `n` exponentials and two `n × n` multiply-adds, where the log-space
    /// recursion needs an exponential per allowed pair (about 10x the time).
    pub fn marginals(&self, em: &[f32], path: &[usize]) -> Vec<f32> {
        let n = self.n;
        let len = path.len();
        if len == 0 {
            return Vec::new();
        }
        // p[t][j] = exp(em[t][j] - max_j em[t][j])
        let mut p = vec![0f32; len * n];
        for t in 0..len {
            let row = &em[t * n..(t + 1) * n];
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for (pj, &e) in p[t * n..(t + 1) * n].iter_mut().zip(row) {
                *pj = (e - m).exp();
            }
        }
        let normalise = |v: &mut [f32]| {
            let s: f32 = v.iter().sum();
            if s > 0.0 {
                v.iter_mut().for_each(|x| *x /= s);
            }
        };
        let mut alpha = vec![0f32; len * n];
        for j in 0..n {
            alpha[j] = self.exp_start[j] * p[j];
        }
        normalise(&mut alpha[..n]);
        for t in 1..len {
            let (done, rest) = alpha.split_at_mut(t * n);
            let prev = &done[(t - 1) * n..];
            let cur = &mut rest[..n];
            for (i, &a) in prev.iter().enumerate() {
                if a != 0.0 {
                    let row = &self.exp_trans[i * n..(i + 1) * n];
                    cur.iter_mut().zip(row).for_each(|(c, &e)| *c += a * e);
                }
            }
            cur.iter_mut()
                .zip(&p[t * n..(t + 1) * n])
                .for_each(|(c, &q)| *c *= q);
            normalise(cur);
        }
        let mut beta = vec![0f32; len * n];
        beta[(len - 1) * n..].copy_from_slice(&self.exp_end);
        normalise(&mut beta[(len - 1) * n..]);
        let mut next = vec![0f32; n];
        for t in (0..len - 1).rev() {
            let (head, tail) = beta.split_at_mut((t + 1) * n);
            for ((x, &b), &q) in next
                .iter_mut()
                .zip(&tail[..n])
                .zip(&p[(t + 1) * n..(t + 2) * n])
            {
                *x = b * q;
            }
            let cur = &mut head[t * n..];
            for (i, c) in cur.iter_mut().enumerate() {
                let row = &self.exp_trans[i * n..(i + 1) * n];
                *c = row.iter().zip(&next).map(|(&e, &x)| e * x).sum();
            }
            normalise(cur);
        }
        path.iter()
            .enumerate()
            .map(|(t, &j)| {
                let a = &alpha[t * n..(t + 1) * n];
                let b = &beta[t * n..(t + 1) * n];
                let z: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                if z > 0.0 {
                    (a[j] * b[j] / z).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }
}

/// A decoded entity: token range `first..=last` and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpan {
    /// First token.
    pub first: usize,
    /// Last token (inclusive).
    pub last: usize,
    /// Entity type (`TOTAL`, ...).
    pub kind: String,
}

/// Groups a valid BILOU path into spans.
pub fn spans(labels: &LabelSet, path: &[usize]) -> Vec<TokenSpan> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (t, &l) in path.iter().enumerate() {
        let (p, kind) = &labels.parts[l];
        match p {
            'U' => out.push(TokenSpan {
                first: t,
                last: t,
                kind: kind.clone(),
            }),
            'B' => open = Some(t),
            'L' => {
                if let Some(first) = open.take() {
                    out.push(TokenSpan {
                        first,
                        last: t,
                        kind: kind.clone(),
                    });
                }
            }
            'I' => {}
            _ => open = None,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> LabelSet {
        LabelSet::new(
            ["O", "B-X", "I-X", "L-X", "U-X"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
    }

    #[test]
    fn viterbi_never_returns_invalid_bilou() {
        let ls = labels();
        let crf = Crf::new(&ls, &[], &[], &[]);
        // Emissions prefer I-X alone, which is invalid at the start and as a single token.
        let em = [0.0, 0.0, 5.0, 0.0, 0.0, /**/ 0.0, 0.0, 5.0, 0.0, 0.0];
        let path = crf.viterbi(&em);
        for w in path.windows(2) {
            assert!(ls.allowed(w[0], w[1]), "{path:?}");
        }
        assert!(ls.allowed_start(path[0]) && ls.allowed_end(path[1]));
    }

    #[test]
    fn viterbi_follows_transitions() {
        let ls = labels();
        // Strong reward for O -> O makes the second token O even if it prefers U-X a little.
        let mut trans = vec![vec![0.0; 5]; 5];
        trans[0][0] = 3.0;
        let crf = Crf::new(&ls, &trans, &[], &[]);
        let em = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        assert_eq!(crf.viterbi(&em), vec![0, 0]);
        let crf = Crf::new(&ls, &[], &[], &[]);
        assert_eq!(crf.viterbi(&em), vec![0, 4]);
    }

    fn log_sum_exp(it: impl Iterator<Item = f32> + Clone) -> f32 {
        let m = it.clone().fold(f32::NEG_INFINITY, f32::max);
        if m == f32::NEG_INFINITY {
            return m;
        }
        m + it.map(|x| (x - m).exp()).sum::<f32>().ln()
    }

    /// The log-space forward–backward the linear one replaced: the reference.
    fn marginals_in_log_space(crf: &Crf, em: &[f32], path: &[usize]) -> Vec<f32> {
        let n = crf.n;
        let len = path.len();
        let mut alpha = vec![f32::NEG_INFINITY; len * n];
        for j in 0..n {
            alpha[j] = crf.start[j] + em[j];
        }
        for t in 1..len {
            for j in 0..n {
                let v = log_sum_exp(
                    crf.preds[j]
                        .iter()
                        .map(|&i| alpha[(t - 1) * n + i] + crf.trans[i * n + j]),
                );
                alpha[t * n + j] = v + em[t * n + j];
            }
        }
        let mut beta = vec![f32::NEG_INFINITY; len * n];
        beta[(len - 1) * n..].copy_from_slice(&crf.end);
        for t in (0..len - 1).rev() {
            for i in 0..n {
                beta[t * n + i] =
                    log_sum_exp((0..n).map(|j| {
                        crf.trans[i * n + j] + em[(t + 1) * n + j] + beta[(t + 1) * n + j]
                    }));
            }
        }
        let z = log_sum_exp((0..n).map(|j| alpha[(len - 1) * n + j] + crf.end[j]));
        path.iter()
            .enumerate()
            .map(|(t, &j)| (alpha[t * n + j] + beta[t * n + j] - z).exp())
            .collect()
    }

    #[test]
    fn linear_marginals_match_the_log_space_recursion() {
        let ls = labels();
        let n = ls.len();
        let trans: Vec<Vec<f32>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| ((i * 7 + j * 3) % 11) as f32 * 0.3 - 1.5)
                    .collect()
            })
            .collect();
        let start: Vec<f32> = (0..n).map(|i| (i % 3) as f32 * 0.5).collect();
        let end: Vec<f32> = (0..n).map(|i| (i % 4) as f32 * -0.4).collect();
        let crf = Crf::new(&ls, &trans, &start, &end);
        let mut x = 12345u32;
        for len in [1usize, 2, 7, 256] {
            // emissions spread like a trained model's: some confident, some not
            let em: Vec<f32> = (0..len * n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x % 2000) as f32 / 100.0 - 10.0
                })
                .collect();
            let path = crf.viterbi(&em);
            let got = crf.marginals(&em, &path);
            let want = marginals_in_log_space(&crf, &em, &path);
            for (t, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!((g - w).abs() < 1e-3, "len {len} t {t}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn marginals_are_probabilities() {
        let ls = labels();
        let crf = Crf::new(&ls, &[], &[], &[]);
        let em = [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0];
        let path = crf.viterbi(&em);
        let m = crf.marginals(&em, &path);
        assert!(m[0] > 0.5 && m[0] <= 1.0, "{m:?}");
        assert!(m[1] > 0.99, "{m:?}");
    }

    #[test]
    fn spans_from_bilou() {
        let ls = labels();
        assert_eq!(
            spans(&ls, &[0, 1, 2, 3, 4, 0]),
            vec![
                TokenSpan {
                    first: 1,
                    last: 3,
                    kind: "X".into()
                },
                TokenSpan {
                    first: 4,
                    last: 4,
                    kind: "X".into()
                }
            ]
        );
    }
}
