//! Bytes → text for CSV inputs.
//!
//! Exports come from many places: Partner Center (UTF-8), Excel re-saves
//! ("Unicode text" is UTF-16LE with a BOM; "CSV" is the machine's ANSI code
//! page), scripts. So: a BOM decides; else strict UTF-8; else UTF-16
//! without BOM when the NUL pattern says so; else the legacy code page whose
//! decoding of the first lines contains the most known header aliases (a
//! Russian header read as cp1252 matches nothing, read as cp1251 it
//! matches). Large files are decoded as a stream ([`DecodingReader`]).

use std::io::{self, Read};

use encoding_rs::{
    BIG5, EUC_KR, Encoding, GBK, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1251, WINDOWS_1252,
};

use super::headers::{is_known_alias, norm};

/// How much of the file start is looked at to decide.
const SNIFF_BYTES: usize = 64 * 1024;

/// The legacy code pages tried, in tie-break order.
const LEGACY: [&Encoding; 6] = [WINDOWS_1252, WINDOWS_1251, SHIFT_JIS, GBK, BIG5, EUC_KR];

/// The encoding of a file and the length of its BOM.
pub fn sniff(bytes: &[u8]) -> (&'static Encoding, usize) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return (enc, bom);
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if let Some(enc) = utf16_without_bom(head) {
        return (enc, 0);
    }
    match std::str::from_utf8(head) {
        Ok(_) => return (UTF_8, 0),
        // Cut in the middle of a character at the sniff boundary only.
        Err(e) if e.error_len().is_none() => return (UTF_8, 0),
        Err(_) => {}
    }
    (best_legacy(head), 0)
}

/// UTF-16 without BOM: ASCII text has a NUL in every other byte.
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let n = head.len().min(2048) / 2 * 2;
    if n < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head[..n].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let half = n / 2;
    if odd * 10 >= half * 4 && even * 10 < half {
        Some(UTF_16LE)
    } else if even * 10 >= half * 4 && odd * 10 < half {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The legacy code page under which the first lines hold the most aliases.
fn best_legacy(head: &[u8]) -> &'static Encoding {
    // Only whole lines, so a multi-byte character is not cut.
    let end = head
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(head.len(), |i| i + 1);
    let head = &head[..end];
    let mut best = (WINDOWS_1252, 0i64);
    for enc in LEGACY {
        let (text, had_errors) = enc.decode_without_bom_handling(head);
        let mut score: i64 = text
            .lines()
            .take(40)
            .flat_map(|l| l.split([',', ';', '\t']))
            .filter(|cell| is_known_alias(&norm(cell.trim().trim_matches('"'))))
            .count() as i64
            * 10;
        if had_errors {
            score -= 5;
        }
        if score > best.1 {
            best = (enc, score);
        }
    }
    best.0
}

/// Decode a whole (small) file to text.
pub fn decode_all(bytes: &[u8]) -> (String, &'static Encoding) {
    let (enc, bom) = sniff(bytes);
    let body = &bytes[bom..];
    let (text, _) = enc.decode_without_bom_handling(body);
    (text.into_owned(), enc)
}

/// A reader that yields UTF-8 from any supported encoding, chunk by
/// chunk, so a 100 MB UTF-16 activity log is never held whole.
pub struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    inbuf: Vec<u8>,
    in_len: usize,
    outbuf: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    eof: bool,
    finished: bool,
}

impl<R: Read> DecodingReader<R> {
    /// `prefix` holds bytes already read from `inner` (the sniffed head,
    /// BOM included or not: the decoder drops a BOM for `enc`).
    pub fn new(prefix: Vec<u8>, inner: R, enc: &'static Encoding) -> Self {
        let in_len = prefix.len();
        let mut inbuf = prefix;
        inbuf.resize(in_len.max(64 * 1024), 0);
        let decoder = enc.new_decoder_with_bom_removal();
        let out_cap = decoder
            .max_utf8_buffer_length(inbuf.len())
            .unwrap_or(4 * inbuf.len());
        DecodingReader {
            inner,
            decoder,
            inbuf,
            in_len,
            outbuf: vec![0; out_cap],
            out_pos: 0,
            out_len: 0,
            eof: false,
            finished: false,
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = buf.len().min(self.out_len - self.out_pos);
                buf[..n].copy_from_slice(&self.outbuf[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            if !self.eof && self.in_len < self.inbuf.len() {
                let n = self.inner.read(&mut self.inbuf[self.in_len..])?;
                self.eof = n == 0;
                self.in_len += n;
            }
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.inbuf[..self.in_len], &mut self.outbuf, self.eof);
            self.inbuf.copy_within(read..self.in_len, 0);
            self.in_len -= read;
            self.out_pos = 0;
            self.out_len = written;
            self.finished = self.eof && result == encoding_rs::CoderResult::InputEmpty;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xff, 0xfe] } else { [0xfe, 0xff] });
        }
        for u in s.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn boms_utf8_and_utf16_are_recognised() {
        let text = "Subscription ID,Quantity\r\nabc,1\r\n";
        for (bytes, enc) in [
            (utf16(text, true, true), UTF_16LE),
            (utf16(text, false, true), UTF_16BE),
            (utf16(text, true, false), UTF_16LE),
            (utf16(text, false, false), UTF_16BE),
            ([&[0xef, 0xbb, 0xbf][..], text.as_bytes()].concat(), UTF_8),
            (text.as_bytes().to_vec(), UTF_8),
        ] {
            let (decoded, got) = decode_all(&bytes);
            assert_eq!(got, enc);
            assert_eq!(decoded, text);
        }
    }

    #[test]
    fn legacy_code_pages_are_chosen_by_header_aliases() {
        let ru = "Идентификатор подписки;Подписка;Количество\r\n1;Офис;3\r\n";
        let (bytes, _, _) = WINDOWS_1251.encode(ru);
        assert_eq!(decode_all(&bytes), (ru.to_owned(), WINDOWS_1251));
        let ja = "サブスクリプション ID,サブスクリプション,数量\r\n1,オフィス,3\r\n";
        let (bytes, _, _) = SHIFT_JIS.encode(ja);
        assert_eq!(decode_all(&bytes), (ja.to_owned(), SHIFT_JIS));
        let zh = "訂閱識別碼,訂閱,數量\r\n1,辦公室,3\r\n";
        let (bytes, _, _) = BIG5.encode(zh);
        assert_eq!(decode_all(&bytes).1, BIG5);
    }

    #[test]
    fn streaming_decoder_matches_whole_decoding() -> crate::TestResult {
        let text: String = (0..5000)
            .map(|i| format!("{i},Контосо,действие\n"))
            .collect();
        let bytes = utf16(&text, true, true);
        let mut r = DecodingReader::new(bytes[..100].to_vec(), &bytes[100..], UTF_16LE);
        let mut out = String::new();
        r.read_to_string(&mut out)?;
        assert_eq!(out, text);
        Ok(())
    }
}
