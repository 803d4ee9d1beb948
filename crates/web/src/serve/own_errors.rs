//! hyper answers a request it cannot read — a URL over 64 KiB (414),
//! headers over its buffer (431), a request line that is not HTTP (400) —
//! itself, before any of ours runs, with a status line and no body. This
//! stream puts the portal's own page, in Japanese, in place of that bare
//! answer, so that every error a person sees is the portal's.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What follows the status line of hyper's own error answers, and never one
/// of ours (ours always carry a body and its content type).
const BARE: &[u8] = b"connection: close\r\ncontent-length: 0\r\n";

/// The status of a bare error answer hyper is about to write, if `buf` is one.
pub(crate) fn bare_error_status(buf: &[u8]) -> Option<u16> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let code = std::str::from_utf8(rest.get(..3)?)
        .ok()?
        .parse::<u16>()
        .ok()?;
    let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
    let headers = &rest[line_end + 2..];
    ((400..=599).contains(&code) && headers.starts_with(BARE)).then_some(code)
}

pub(crate) struct OwnErrorPages<T> {
    inner: T,
    /// Our answer in place of hyper's, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl<T> OwnErrorPages<T> {
    pub(crate) fn new(inner: T) -> Self {
        OwnErrorPages {
            inner,
            replacement: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> OwnErrorPages<T> {
    /// Writes what is left of the replacement; ready when all of it is out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let Some((bytes, done)) = &mut self.replacement else {
            return Poll::Ready(Ok(()));
        };
        while *done < bytes.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => *done += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes the place of `buf` when it is hyper's bare error answer (or
    /// anything hyper writes after it); `true` then.
    fn replaces(&mut self, buf: &[u8]) -> bool {
        if self.replacement.is_some() {
            return true;
        }
        match bare_error_status(buf) {
            Some(status) => {
                self.replacement = Some((crate::errors::raw_error_answer(status), 0));
                true
            }
            None => false,
        }
    }

    /// hyper's `written` bytes count as written; ours go out in their place.
    fn written_instead(
        &mut self,
        cx: &mut Context<'_>,
        written: usize,
    ) -> Poll<std::io::Result<usize>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) | Poll::Pending => Poll::Ready(Ok(written)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for OwnErrorPages<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for OwnErrorPages<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.replaces(buf) {
            return self.written_instead(cx, buf.len());
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        if self.replaces(first) {
            let total = bufs.iter().map(|b| b.len()).sum();
            return self.written_instead(cx, total);
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bare_error_answers_are_recognised() {
        assert_eq!(
            bare_error_status(
                b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n"
            ),
            Some(414)
        );
        assert_eq!(
            bare_error_status(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
            ),
            Some(431)
        );
        // Ours: a body and its type.
        assert_eq!(
            bare_error_status(
                b"HTTP/1.1 404 Not Found\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: 900\r\n\r\n"
            ),
            None
        );
        assert_eq!(
            bare_error_status(b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(bare_error_status(b"<html>"), None);
        assert_eq!(bare_error_status(b"HTTP/1.1 4"), None);
    }
}
