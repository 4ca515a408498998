//! One article's agreement items as the corpus index keeps them: what each gold file was
//! (status and remembered hash, for `status`), the values' digests, and the disagreements as
//! their JSON lines (a date's day number beside its digest). Only an article whose gold files all loaded is kept, so that nothing with
//! a path in it (a problem) is stored.
//!
//! Written with the primitives of the index's own encoding ([`crate::index::codec`]), whose
//! reader checks every length against what is left and refuses trailing bytes: a damaged entry
//! is `None` (the article is read again), never a panic nor a wrong count.

use super::{ArticleItems, Code, OwnedGoldSummary};
use crate::index::codec::{Reader, Writer};
use crate::model::Status;

/// What each gold file of the article was, in the order read.
/// Per gold file of the article (by analyst number): its status, remembered article hash and
/// `review_seconds`; `None` when the analyst has no file.
pub(super) type Summaries = Vec<(u16, Option<OwnedGoldSummary>)>;

/// Encodes an article's summaries and items.
pub(super) fn encode(summaries: &Summaries, items: Option<&ArticleItems>) -> Vec<u8> {
    let mut w = Writer::with_capacity(256);
    w.varint(summaries.len() as u64);
    for (a, s) in summaries {
        w.varint(u64::from(*a));
        match s {
            None => w.byte(0),
            Some(s) => {
                w.byte(1 + status_code(s.status));
                w.opt_str(s.article_sha256.as_deref());
                w.varint(s.review_seconds.map_or(0, |s| s + 1));
            }
        }
    }
    let Some(items) = items else {
        w.byte(0);
        return w.into_bytes();
    };
    w.byte(1);
    w.varint(items.values.len() as u64);
    for (f, a, code) in &items.values {
        w.varint(u64::from(*f));
        w.varint(u64::from(*a));
        match code {
            Code::Scalar(d) => {
                w.byte(0);
                w.u64_fixed(*d);
            }
            Code::Date(d, days) => {
                w.byte(2);
                w.u64_fixed(*d);
                w.u64_fixed(u64::from(*days as u32));
            }
            Code::Set(ds) => {
                w.byte(1);
                w.varint(ds.len() as u64);
                for d in ds.iter() {
                    w.u64_fixed(*d);
                }
            }
        }
    }
    w.varint(items.disagreeing.len() as u64);
    for f in &items.disagreeing {
        w.varint(u64::from(*f));
    }
    w.varint(items.disagreements.len() as u64);
    for line in &items.disagreements {
        w.bytes(line);
    }
    w.into_bytes()
}

/// Decodes what [`encode`] wrote; `None` for anything else.
pub(super) fn decode(input: &[u8]) -> Option<(Summaries, Option<ArticleItems>)> {
    let mut r = Reader::new(input);
    let u16 = |r: &mut Reader| u16::try_from(r.varint()?).ok();
    let n = r.count(2)?;
    let mut summaries = Vec::with_capacity(n);
    for _ in 0..n {
        let a = u16(&mut r)?;
        let s = match r.byte()? {
            0 => None,
            t @ 1..=3 => {
                let status = status_of(t - 1)?;
                let sha = r.opt_str()?;
                let seconds = r.varint()?.checked_sub(1);
                Some(OwnedGoldSummary {
                    status,
                    article_sha256: sha,
                    review_seconds: seconds,
                })
            }
            _ => return None,
        };
        summaries.push((a, s));
    }
    let items = match r.byte()? {
        0 => None,
        1 => {
            let n = r.count(3)?;
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                let f = u16(&mut r)?;
                let a = u16(&mut r)?;
                let code = match r.byte()? {
                    0 => Code::Scalar(r.u64_fixed()?),
                    1 => {
                        let k = r.count(8)?;
                        let mut ds = Vec::with_capacity(k);
                        for _ in 0..k {
                            ds.push(r.u64_fixed()?);
                        }
                        Code::Set(ds.into_boxed_slice())
                    }
                    2 => Code::Date(r.u64_fixed()?, u32::try_from(r.u64_fixed()?).ok()? as i32),
                    _ => return None,
                };
                values.push((f, a, code));
            }
            let n = r.count(1)?;
            let mut disagreeing = Vec::with_capacity(n);
            for _ in 0..n {
                disagreeing.push(u16(&mut r)?);
            }
            let n = r.count(1)?;
            let mut disagreements = Vec::with_capacity(n);
            for _ in 0..n {
                disagreements.push(r.bytes()?.to_vec());
            }
            Some(ArticleItems {
                values,
                disagreeing,
                disagreements,
            })
        }
        _ => return None,
    };
    r.finish((summaries, items))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(status: Status, sha: Option<String>, seconds: Option<u64>) -> OwnedGoldSummary {
        OwnedGoldSummary {
            status,
            article_sha256: sha,
            review_seconds: seconds,
        }
    }

    fn sample() -> (Summaries, ArticleItems) {
        (
            vec![
                (
                    0,
                    Some(summary(Status::Done, Some("ab".repeat(32)), Some(0))),
                ),
                (2, Some(summary(Status::InProgress, None, Some(86_400)))),
                (3, Some(summary(Status::Skipped, None, None))),
                (5, None),
            ],
            ArticleItems {
                values: vec![
                    (0, 0, Code::Scalar(7)),
                    (0, 2, Code::Scalar(u64::MAX)),
                    (1, 0, Code::Date(9, -3)),
                    (1, 2, Code::Date(10, 20_000)),
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
            Code::Date(d, days) => vec![*d, *days as u64],
            Code::Set(ds) => ds.to_vec(),
        };
        a.values.len() == b.values.len()
            && a.values.iter().zip(&b.values).all(|(x, y)| {
                x.0 == y.0
                    && x.1 == y.1
                    && code(&x.2) == code(&y.2)
                    && std::mem::discriminant(&x.2) == std::mem::discriminant(&y.2)
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
