//! How far apart two spellings are: what names (`party.rs`) and legal forms
//! (`legal_form.rs`) are compared by.

/// Levenshtein distance between two spellings, as characters.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_table() {
        let cases = [
            ("", "", 0),
            ("BHD", "", 3),
            ("", "SDN", 3),
            ("SDN", "SDN", 0),
            ("SON", "SDN", 1),
            ("BILD", "BHD", 2),
            ("BEED", "BHD", 2),
            ("kitten", "sitting", 3),
        ];
        for (a, b, want) in cases {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            assert_eq!(edit_distance(&a, &b), want, "{a:?} {b:?}");
            assert_eq!(edit_distance(&b, &a), want, "{b:?} {a:?}");
        }
    }
}
