//! One error type for every handler, and the Japanese pages (or JSON envelopes)
//! that every error status turns into — whether it came from a handler, from
//! axum's extractors, from a panic or from the timeout.

use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::layout::Layout;

/// What kind of failure, which fixes the status and the API error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    /// The request collides with what is already recorded: a second of
    /// what may be done once, a value that must be unique, or a record that
    /// changed since it was read.
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The kind an error status stands for; statuses we never send map to the nearest.
    pub fn from_status(status: StatusCode) -> ErrorKind {
        match status.as_u16() {
            403 | 401 => ErrorKind::Forbidden,
            404 | 410 => ErrorKind::NotFound,
            405 => ErrorKind::MethodNotAllowed,
            409 => ErrorKind::Conflict,
            413 => ErrorKind::PayloadTooLarge,
            415 => ErrorKind::UnsupportedMediaType,
            422 => ErrorKind::Unprocessable,
            429 => ErrorKind::TooManyRequests,
            503 | 504 | 408 => ErrorKind::Unavailable,
            400..=499 => ErrorKind::BadRequest,
            _ => ErrorKind::Internal,
        }
    }

    /// The machine-readable code of the JSON envelope.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::Unprocessable => "unprocessable",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::Internal => "internal_error",
            ErrorKind::Unavailable => "unavailable",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "リクエストを処理できませんでした",
            ErrorKind::Forbidden => "このページは表示できません",
            ErrorKind::NotFound => "ページが見つかりません",
            ErrorKind::MethodNotAllowed => "この操作は受け付けられません",
            ErrorKind::Conflict => "既に記録されている内容と重なります",
            ErrorKind::PayloadTooLarge => "送信されたデータが大きすぎます",
            ErrorKind::UnsupportedMediaType | ErrorKind::Unprocessable => {
                "送信された内容を読み取れませんでした"
            }
            ErrorKind::TooManyRequests => "アクセスが集中しています",
            ErrorKind::Internal => "システムエラーが発生しました",
            ErrorKind::Unavailable => "ただいま処理できません",
        }
    }

    /// The default explanation, when the handler gave none.
    pub fn message(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => {
                "リクエストの内容が正しくありません。入力内容をご確認ください。"
            }
            ErrorKind::Forbidden => {
                "このページを表示する権限がないか、送信元を確認できませんでした。ページを開き直してから、もう一度お試しください。"
            }
            ErrorKind::NotFound => {
                "お探しのページは、移動または削除されたか、URLが間違っている可能性があります。"
            }
            ErrorKind::MethodNotAllowed => "このURLでは、この方法による操作は受け付けていません。",
            ErrorKind::Conflict => {
                "同じ内容が既に記録されているか、ほかの操作が先に行われました。画面を読み込み直して、内容をご確認ください。"
            }
            ErrorKind::PayloadTooLarge => {
                "送信されたデータが上限を超えています。ファイルの大きさや入力内容をご確認ください。"
            }
            ErrorKind::UnsupportedMediaType | ErrorKind::Unprocessable => {
                "送信された内容の形式が正しくありません。入力内容をご確認ください。"
            }
            ErrorKind::TooManyRequests => "しばらく時間をおいてから、もう一度お試しください。",
            ErrorKind::Internal => {
                "ご不便をおかけして申し訳ありません。時間をおいて、もう一度お試しください。問題が続く場合は運営事務局までお問い合わせください。"
            }
            ErrorKind::Unavailable => {
                "処理に時間がかかったため中断しました。しばらく時間をおいてから、もう一度お試しください。"
            }
        }
    }
}

/// An error a handler returns. Its message is for the user (Japanese); the cause
/// of an internal error is logged once and never shown.
#[derive(Debug, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct WebError {
    kind: ErrorKind,
    message: String,
    #[source]
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl WebError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        WebError {
            kind,
            message: message.into(),
            cause: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, ErrorKind::NotFound.message())
    }

    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        WebError {
            kind: ErrorKind::Internal,
            message: ErrorKind::Internal.message().to_owned(),
            cause: Some(Box::new(cause)),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What the user is told.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A store error that no handler turned into its own message: a conflict
/// (a second of what may be done once, or a record changed since it was
/// read) is a 409 with the general explanation; anything else is a fault of
/// ours (500), logged with its cause.
impl From<store::StoreError> for WebError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Conflict { .. } | store::StoreError::Stale => {
                WebError::new(ErrorKind::Conflict, ErrorKind::Conflict.message())
            }
            // A content bundle that is not whole, not ours or too new: said
            // as it is (in Japanese); only failing to read or write it is ours.
            store::StoreError::Bundle(b) if !matches!(b, content::bundle::BundleError::Io(_)) => {
                WebError::new(ErrorKind::Unprocessable, b.to_string())
            }
            other => WebError::internal(other),
        }
    }
}

/// Carried in the response's extensions to the error-page middleware, which
/// knows whether the client wants HTML or JSON.
#[derive(Debug, Clone)]
pub(crate) struct ErrorInfo {
    pub kind: ErrorKind,
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(error = %cause, "request failed");
        }
        let mut response = self.kind.status().into_response();
        response.extensions_mut().insert(ErrorInfo {
            kind: self.kind,
            message: self.message,
        });
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    heading: &'a str,
    paragraphs: Vec<&'a str>,
    status: u16,
}

/// An API error's body, `{"error": {"code": …, "message": …}}`: what every
/// route under `/api/` answers when it refuses (its schema is the OpenAPI
/// document's `Error`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    as = Error,
    description = "エラー。code は種類（機械が読む）、message は利用者向けの日本語の説明"
)]
pub(crate) struct ErrorBody {
    #[schema(inline)]
    error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// 機械が読むための種類
    #[schema(examples("bad_request", "not_found"))]
    code: &'static str,
    /// 利用者向けの日本語のメッセージ
    message: String,
}

/// The body of an error response: a page in the site's layout, or for the API
/// an [`ErrorBody`].
pub(crate) fn render(kind: ErrorKind, message: &str, status: StatusCode, json: bool) -> Response {
    if json {
        let body = ErrorBody {
            error: ErrorDetail {
                code: kind.code(),
                message: message.to_owned(),
            },
        };
        return (status, Json(body)).into_response();
    }
    let mut paragraphs = vec![message];
    if kind == ErrorKind::NotFound {
        paragraphs.push("URLをご確認のうえ、トップページまたは案件検索からお探しください。");
    }
    let page = ErrorPage {
        layout: Layout::new(kind.heading()),
        heading: kind.heading(),
        paragraphs,
        status: status.as_u16(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page could not be rendered");
            let mut r = (status, message.to_owned()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            r
        }
    }
}

/// A whole HTTP/1.1 answer — status line, headers and the error page — for
/// a request hyper refused before the portal saw it (`serve::own_errors`).
pub(crate) fn raw_error_answer(status: u16) -> Vec<u8> {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let kind = ErrorKind::from_status(code);
    let message = match status {
        414 => {
            "URLが長すぎるため、処理できませんでした。検索の条件を減らして、もう一度お試しください。"
        }
        431 => {
            "送信された情報（Cookie など）が大きすぎるため、処理できませんでした。ブラウザーでこのサイトのCookieを削除してから、もう一度お試しください。"
        }
        408 => {
            "リクエストの送信に時間がかかりすぎたため、処理を中断しました。もう一度お試しください。"
        }
        _ => kind.message(),
    };
    let page = ErrorPage {
        layout: Layout::new(kind.heading()),
        heading: kind.heading(),
        paragraphs: vec![
            message,
            "トップページまたは案件検索から、もう一度お探しください。",
        ],
        status,
    };
    let body = page.render().unwrap_or_else(|_| message.to_owned());
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\ncache-control: no-store\r\ncontent-security-policy: {}\r\n\
         x-content-type-options: nosniff\r\nx-frame-options: DENY\r\n\
         referrer-policy: strict-origin-when-cross-origin\r\n\r\n",
        code.as_u16(),
        code.canonical_reason().unwrap_or("Error"),
        body.len(),
        crate::middleware::CONTENT_SECURITY_POLICY,
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `?` on a store conflict used to become a 500.
    #[test]
    fn a_store_conflict_is_a_409_and_only_faults_are_500() {
        let kind = |e: store::StoreError| WebError::from(e).kind;
        assert_eq!(
            kind(store::StoreError::Conflict { field: "email" }),
            ErrorKind::Conflict
        );
        assert_eq!(kind(store::StoreError::Stale), ErrorKind::Conflict);
        assert_eq!(
            kind(store::StoreError::Invalid("x".into())),
            ErrorKind::Internal
        );
        assert_eq!(ErrorKind::Conflict.status(), 409);
    }

    #[test]
    fn every_kind_round_trips_through_its_status() {
        for kind in [
            ErrorKind::BadRequest,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::MethodNotAllowed,
            ErrorKind::Conflict,
            ErrorKind::PayloadTooLarge,
            ErrorKind::UnsupportedMediaType,
            ErrorKind::Unprocessable,
            ErrorKind::TooManyRequests,
            ErrorKind::Internal,
            ErrorKind::Unavailable,
        ] {
            assert_eq!(ErrorKind::from_status(kind.status()), kind);
            assert!(
                !kind.message().is_ascii(),
                "{kind:?} has a Japanese message"
            );
        }
    }
}
