//! True 1-based line numbers for CSV records.
//!
//! The csv crate's `Position::line()` is off by one after a CRLF or a blank
//! line and ignores lone CRs, yet an issue must say the line a person sees
//! in an editor. So the bytes the CSV parser reads pass through
//! [`LineTracked`], which notes where each line starts (and whether it is
//! blank, since the parser skips blank lines); a record's byte position
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
    /// Not yet known whether the line is blank (its first byte not seen).
    pending: bool,
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
    prev: u8,
}

impl Default for Lines {
    fn default() -> Self {
        let mut starts = VecDeque::new();
        starts.push_back(Start {
            offset: 0,
            pending: true,
            blank: false,
        });
        Lines {
            starts,
            popped: 0,
            offset: 0,
            prev: 0,
        }
    }
}

impl Lines {
    fn scan(&mut self, buf: &[u8]) {
        let mut base = self.offset;
        for chunk in buf.chunks(64) {
            let pending_here = self
                .starts
                .back()
                .is_some_and(|s| s.pending && s.offset < base + chunk.len() as u64);
            if pending_here || chunk.iter().any(|&b| b == b'\n' || b == b'\r') {
                self.scan_slow(chunk, base);
            } else if let Some(&last) = chunk.last() {
                self.prev = last;
            }
            base += chunk.len() as u64;
        }
        self.offset = base;
    }

    fn scan_slow(&mut self, chunk: &[u8], base: u64) {
        for (i, &b) in chunk.iter().enumerate() {
            let abs = base + i as u64;
            if let Some(last) = self.starts.back_mut()
                && last.pending
                && last.offset == abs
            {
                if b == b'\n' && self.prev == b'\r' {
                    // The LF of a CRLF: the line starts after it.
                    last.offset = abs + 1;
                    self.prev = b;
                    continue;
                }
                last.pending = false;
                last.blank = b == b'\r' || b == b'\n';
            }
            if b == b'\n' || b == b'\r' {
                self.starts.push_back(Start {
                    offset: abs + 1,
                    pending: true,
                    blank: false,
                });
            }
            self.prev = b;
        }
    }

    /// The line of the record whose parser position is `byte`. Records
    /// must be asked about in order.
    pub fn line_of(&mut self, byte: u64) -> u64 {
        while self.starts.len() > 1 && self.starts.front().is_some_and(|s| s.offset < byte) {
            self.starts.pop_front();
            self.popped += 1;
        }
        while self.starts.len() > 1 && self.starts.front().is_some_and(|s| !s.pending && s.blank) {
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

    fn lines_of(data: &str) -> Vec<u64> {
        let (r, lines) = LineTracked::new(data.as_bytes());
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
        let long: String = (0..10_000).map(|i| format!("{i},x\r\n")).collect();
        let got = lines_of(&long);
        assert_eq!(got.len(), 10_000);
        assert!(got.iter().enumerate().all(|(i, l)| *l == i as u64 + 1));
    }
}
