//! True 1-based line numbers for CSV records.
//!
//! The csv crate's `Position::line()` is off by one after a CRLF or a blank
//! line and ignores lone CRs, yet an issue must say the line a person sees
//! in an editor. So the bytes the CSV parser reads pass through
//! [`LineTracked`], which notes where each line starts (and whether it is
//! blank, since the parser skips blank lines), finding the break bytes
//! with `memchr` so the other bytes cost nothing; a record's byte position
//! then maps to its line. Only the lines between the parser's read-ahead
//! and the last record asked about are kept, so memory stays bounded on a
//! 100 MB log.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

#[derive(Debug, Clone, Copy)]
struct Start {
    offset: u64,
    /// Its first byte is a line break. A start at or past the bytes seen
    /// is not yet known either way (and is not blank yet).
    blank: bool,
}

/// Line starts not yet passed by the records asked about.
#[derive(Debug)]
pub struct Lines {
    starts: VecDeque<Start>,
    /// Lines popped so far (the front is line `popped + 1`).
    popped: u64,
    /// Bytes seen.
    offset: u64,
    /// Where the latest CR was seen, to recognise the LF of a CRLF.
    last_cr: Option<u64>,
}

impl Default for Lines {
    fn default() -> Self {
        let mut starts = VecDeque::new();
        starts.push_back(Start {
            offset: 0,
            blank: false,
        });
        Lines {
            starts,
            popped: 0,
            offset: 0,
            last_cr: None,
        }
    }
}

impl Lines {
    /// Note the line breaks of the next bytes. Only break bytes cost
    /// anything: they are found with `memchr`, not byte by byte.
    fn scan(&mut self, buf: &[u8]) {
        let base = self.offset;
        for i in memchr::memchr2_iter(b'\n', b'\r', buf) {
            let abs = base + i as u64;
            let cr = buf.get(i) == Some(&b'\r');
            if !cr && abs > 0 && self.last_cr == Some(abs - 1) {
                // The LF of a CRLF: the line starts after it.
                if let Some(last) = self.starts.back_mut() {
                    last.offset = abs + 1;
                }
                continue;
            }
            if cr {
                self.last_cr = Some(abs);
            }
            if let Some(last) = self.starts.back_mut()
                && last.offset == abs
            {
                last.blank = true;
            }
            self.starts.push_back(Start {
                offset: abs + 1,
                blank: false,
            });
        }
        self.offset = base + buf.len() as u64;
    }

    /// The line of the record whose parser position is `byte`. Records
    /// must be asked about in order.
    pub fn line_of(&mut self, byte: u64) -> u64 {
        while self.starts.len() > 1 && self.starts.front().is_some_and(|s| s.offset < byte) {
            self.starts.pop_front();
            self.popped += 1;
        }
        while self.starts.len() > 1 && self.starts.front().is_some_and(|s| s.blank) {
            self.starts.pop_front();
            self.popped += 1;
        }
        self.popped + 1
    }
}

/// A reader that records line starts in a shared [`Lines`].
pub struct LineTracked<R> {
    inner: R,
    lines: Rc<RefCell<Lines>>,
}

impl<R: Read> LineTracked<R> {
    pub fn new(inner: R) -> (Self, Rc<RefCell<Lines>>) {
        let lines = Rc::new(RefCell::new(Lines::default()));
        (
            LineTracked {
                inner,
                lines: lines.clone(),
            },
            lines,
        )
    }
}

impl<R: Read> Read for LineTracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.borrow_mut().scan(&buf[..n]);
        Ok(n)
    }
}

/// The line of a csv record read through a [`LineTracked`] reader.
pub fn record_line(lines: &RefCell<Lines>, pos: Option<&csv::Position>) -> u64 {
    lines
        .borrow_mut()
        .line_of(pos.map_or(0, csv::Position::byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `n` bytes per read, so line breaks
    /// (and the two bytes of a CRLF) straddle reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn lines_of(data: &str) -> Vec<u64> {
        let whole = lines_in(data.as_bytes(), usize::MAX);
        for n in [1, 2, 3, 7] {
            assert_eq!(
                lines_in(data.as_bytes(), n),
                whole,
                "reads of {n}: {data:?}"
            );
        }
        whole
    }

    fn lines_in(data: &[u8], chunk: usize) -> Vec<u64> {
        let (r, lines) = LineTracked::new(Trickle(data, chunk));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(r);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            out.push(record_line(&lines, rec.position()));
        }
        out
    }

    #[test]
    fn lines_count_like_an_editor() {
        assert_eq!(lines_of("a,b\r\nc,d\r\ne,f\r\n"), vec![1, 2, 3]);
        assert_eq!(lines_of("a,b\nc,d\n\ne,f\n"), vec![1, 2, 4]);
        assert_eq!(
            lines_of("a,b\r\n\r\nc,\"x\r\ny\"\r\ne,f\r\n"),
            vec![1, 3, 5]
        );
        assert_eq!(lines_of("a,b\rc,d\re,f\r"), vec![1, 2, 3]);
        assert_eq!(lines_of("\n\na\n"), vec![3]);
        assert_eq!(lines_of("a\r\r\nb\n\r\nc"), vec![1, 3, 5]);
        assert_eq!(lines_of("\r\n\ra\rb\n\nc,\"\r\"\rd"), vec![3, 4, 6, 8]);
        let long: String = (0..10_000).map(|i| format!("{i},x\r\n")).collect();
        let got = lines_of(&long);
        assert_eq!(got.len(), 10_000);
        assert!(got.iter().enumerate().all(|(i, l)| *l == i as u64 + 1));
    }
}
