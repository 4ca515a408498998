//! One article's agreement items as the corpus index keeps them: what each gold file was
//! (status and remembered hash, for `status`), the values' digests, and the disagreements as
//! their JSON lines. Only an article whose gold files all loaded is kept, so that nothing with
//! a path in it (a problem) is stored.
//!
//! Little-endian, lengths as LEB128; decoding checks every length against what is left and
//! refuses trailing bytes, so a damaged entry is `None` (the article is read again), never a
//! panic nor a wrong count.

use super::{ArticleItems, Code};
use crate::model::Status;

/// What each gold file of the article was, in the order read.
pub(super) type Summaries = Vec<(u16, Option<(Status, Option<String>)>)>;

/// Encodes an article's summaries and items.
pub(super) fn encode(summaries: &Summaries, items: Option<&ArticleItems>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    varint(&mut out, summaries.len() as u64);
    for (a, s) in summaries {
        out.extend_from_slice(&a.to_le_bytes());
        match s {
            None => out.push(0),
            Some((status, sha)) => {
                out.push(1 + status_code(*status));
                bytes(&mut out, sha.as_deref().map(str::as_bytes));
            }
        }
    }
    let Some(items) = items else {
        out.push(0);
        return out;
    };
    out.push(1);
    varint(&mut out, items.values.len() as u64);
    for (f, a, code) in &items.values {
        out.extend_from_slice(&f.to_le_bytes());
        out.extend_from_slice(&a.to_le_bytes());
        match code {
            Code::Scalar(d) => {
                out.push(0);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Code::Set(ds) => {
                out.push(1);
                varint(&mut out, ds.len() as u64);
                for d in ds.iter() {
                    out.extend_from_slice(&d.to_le_bytes());
                }
            }
        }
    }
    varint(&mut out, items.disagreeing.len() as u64);
    for f in &items.disagreeing {
        out.extend_from_slice(&f.to_le_bytes());
    }
    varint(&mut out, items.disagreements.len() as u64);
    for line in &items.disagreements {
        bytes(&mut out, Some(line));
    }
    out
}

/// Decodes what [`encode`] wrote; `None` for anything else.
pub(super) fn decode(input: &[u8]) -> Option<(Summaries, Option<ArticleItems>)> {
    let mut r = Reader(input);
    let n = r.count(3)?;
    let mut summaries = Vec::with_capacity(n);
    for _ in 0..n {
        let a = r.u16()?;
        let s = match r.byte()? {
            0 => None,
            t @ 1..=3 => {
                let status = status_of(t - 1)?;
                let sha = match r.bytes()? {
                    None => None,
                    Some(b) => Some(String::from_utf8(b.to_vec()).ok()?),
                };
                Some((status, sha))
            }
            _ => return None,
        };
        summaries.push((a, s));
    }
    let items = match r.byte()? {
        0 => None,
        1 => {
            let n = r.count(5)?;
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                let f = r.u16()?;
                let a = r.u16()?;
                let code = match r.byte()? {
                    0 => Code::Scalar(r.u64()?),
                    1 => {
                        let k = r.count(8)?;
                        let mut ds = Vec::with_capacity(k);
                        for _ in 0..k {
                            ds.push(r.u64()?);
                        }
                        Code::Set(ds.into_boxed_slice())
                    }
                    _ => return None,
                };
                values.push((f, a, code));
            }
            let n = r.count(2)?;
            let mut disagreeing = Vec::with_capacity(n);
            for _ in 0..n {
                disagreeing.push(r.u16()?);
            }
            let n = r.count(1)?;
            let mut disagreements = Vec::with_capacity(n);
            for _ in 0..n {
                disagreements.push(r.bytes()??.to_vec());
            }
            Some(ArticleItems {
                values,
                disagreeing,
                disagreements,
            })
        }
        _ => return None,
    };
    r.0.is_empty().then_some((summaries, items))
}

fn status_code(s: Status) -> u8 {
    match s {
        Status::InProgress => 0,
        Status::Done => 1,
        Status::Skipped => 2,
    }
}

fn status_of(code: u8) -> Option<Status> {
    Some(match code {
        0 => Status::InProgress,
        1 => Status::Done,
        2 => Status::Skipped,
        _ => return None,
    })
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Optional bytes: 0 for none, else length + 1 and the bytes.
fn bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => varint(out, 0),
        Some(b) => {
            varint(out, b.len() as u64 + 1);
            out.extend_from_slice(b);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// A count of items each at least `min` bytes long: never more than what is left.
    fn count(&mut self, min: usize) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n.checked_mul(min)? <= self.0.len()).then_some(n)
    }

    fn bytes(&mut self) -> Option<Option<&'a [u8]>> {
        match usize::try_from(self.varint()?).ok()? {
            0 => Some(None),
            n => Some(Some(self.take(n - 1)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Summaries, ArticleItems) {
        (
            vec![
                (0, Some((Status::Done, Some("ab".repeat(32))))),
                (2, Some((Status::InProgress, None))),
                (5, None),
            ],
            ArticleItems {
                values: vec![
                    (0, 0, Code::Scalar(7)),
                    (0, 2, Code::Scalar(u64::MAX)),
                    (3, 0, Code::Set(vec![1, 2, 3].into_boxed_slice())),
                    (3, 2, Code::Set(Vec::new().into_boxed_slice())),
                ],
                disagreeing: vec![0],
                disagreements: vec![br#"{"article":"a1","field":"f","values":{}}"#.to_vec()],
            },
        )
    }

    fn same(a: &ArticleItems, b: &ArticleItems) -> bool {
        let code = |c: &Code| match c {
            Code::Scalar(d) => vec![*d],
            Code::Set(ds) => ds.to_vec(),
        };
        a.values.len() == b.values.len()
            && a.values.iter().zip(&b.values).all(|(x, y)| {
                x.0 == y.0
                    && x.1 == y.1
                    && code(&x.2) == code(&y.2)
                    && matches!(x.2, Code::Set(_)) == matches!(y.2, Code::Set(_))
            })
            && a.disagreeing == b.disagreeing
            && a.disagreements == b.disagreements
    }

    #[test]
    fn items_come_back_as_they_were_and_damage_is_refused() {
        let (summaries, items) = sample();
        let bytes = encode(&summaries, Some(&items));
        let (s, i) = decode(&bytes).unwrap();
        assert_eq!(s, summaries);
        assert!(same(&i.unwrap(), &items));
        let none = encode(&summaries, None);
        assert!(decode(&none).unwrap().1.is_none());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "a prefix of {cut} bytes");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_decode_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = decode(&bytes);
        }
    }
}
