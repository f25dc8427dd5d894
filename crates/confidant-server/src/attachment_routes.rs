//! Attachments over HTTP: upload a file as the raw request body, list a client's attachments,
//! download one. Bodies stream through in pieces both ways, never buffered whole: a bounded
//! channel connects the connection to a blocking core call that encrypts or decrypts as it
//! goes. The policy, the audit trail, and the type, signature and size checks are the core's.
//!
//! A download is checked whole by the core before its first byte is sent; should it still fail
//! part-way (the blob changed underneath), the body ends with an error, which aborts the
//! connection, so the recipient sees an incomplete transfer rather than a clean, short file.
//! Nothing here logs or echoes a file's name or content.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use confidant_core::ClientId;
use confidant_core::attachment::Attachment;
use confidant_core::attachment::{AttachmentContent, AttachmentInput};
use confidant_core::ids::AttachmentId;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::path_id;
use crate::openapi::{
    AuthProblems, BadRequest, Conflict, Created, Gone, Integrity, Invalid, NotFound, Purpose,
    RefusedFileType, TooLarge,
};
use crate::problem::Problem;
use crate::session::Authenticated;

/// Pieces in flight between the connection and the core; with the core's own 64 KiB this
/// bounds the memory one transfer takes.
const PIPE_DEPTH: usize = 4;
/// Bytes per piece of a download.
const PIECE: usize = 64 * 1024;
/// Most of a refused upload's remaining body read and thrown away, so a sender still writing
/// gets to read the answer rather than a reset connection; past this the connection just closes.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

/// The routes, each with its OpenAPI documentation. Uploads stream past the JSON body limit;
/// the core enforces the attachment size limit.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(download))
        .layer(DefaultBodyLimit::disable())
}

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    api().into()
}

/// Where an upload's name comes from.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UploadParams {
    /// The file's name (percent-encoded); sealed, never logged.
    filename: String,
}

/// A client's attachments.
#[derive(Serialize, ToSchema)]
struct Attachments {
    /// Oldest first.
    attachments: Vec<Attachment>,
}

const UPLOAD_HELP: &str = "send the file as the request body, its name as `?filename=` \
                           (percent-encoded) and its media type as `Content-Type`";

fn unsupported(detail: &str) -> Problem {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Unsupported media type",
        detail,
    )
}

/// Attaches a file to a client's record: the raw bytes as the body, streamed and encrypted as
/// they arrive.
#[utoipa::path(
    post,
    path = "/api/v1/clients/{id}/attachments",
    tag = "attachments",
    params(("id" = ClientId, Path, description = "The client's id"), UploadParams, Purpose),
    request_body(
        content = Vec<u8>,
        description = "The file itself, its media type as `Content-Type`: one of the allowed \
            types (PDF, JPEG, PNG, TIFF, HEIC, MP3, MP4/M4A, WAV, WebM, plain text)",
        content_type = "application/octet-stream"
    ),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Stored", body = Created),
        AuthProblems,
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
        (status = 413, response = TooLarge),
        (status = 415, response = RefusedFileType),
        (status = 422, response = Invalid),
    ),
)]
async fn upload(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
    params: Result<Query<UploadParams>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let client = path_id(&id, ClientId::parse, "client")?;
    let Query(params) = params.map_err(|_| Problem::bad_request(UPLOAD_HELP))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unsupported(UPLOAD_HELP))?
        .to_owned();
    let declared_size = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let input = AttachmentInput {
        filename: params.filename,
        content_type,
        declared_size,
    };
    let (tx, rx) = mpsc::channel(PIPE_DEPTH);
    let call = state.blocking(move |v| v.create_attachment(&access, client, input, Pipe::new(rx)));
    tokio::pin!(call);
    // Once the core has its answer (stored, or refused part-way) the rest of the body is
    // not wanted.
    let mut body = body;
    let result = tokio::select! {
        result = &mut call => result,
        () = feed(&mut body, tx) => call.await,
    };
    match result {
        Ok(id) => Ok((StatusCode::CREATED, Json(Created::new(id.as_uuid()))).into_response()),
        Err(problem) => {
            drain(&mut body).await;
            Err(problem)
        }
    }
}

/// The attachments in a client's record: names, types, sizes; never content.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/attachments",
    tag = "attachments",
    params(("id" = ClientId, Path, description = "The client's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The attachments", body = Attachments),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 410, response = Gone),
    ),
)]
async fn list(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let client = path_id(&id, ClientId::parse, "client")?;
    let attachments = state
        .blocking(move |v| v.attachments_of_client(&access, client))
        .await?;
    Ok(Json(Attachments { attachments }).into_response())
}

/// Downloads an attachment: checked whole first, then streamed, never cached.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    tag = "attachments",
    params(("id" = AttachmentId, Path, description = "The attachment's id"), Purpose),
    security(("bearer" = []), ("session" = [])),
    responses(
        (
            status = 200,
            description = "The file, as `Content-Disposition: attachment` with \
                `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`",
            content_type = "application/octet-stream",
            body = Vec<u8>
        ),
        AuthProblems,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 410, response = Gone),
        (status = 500, response = Integrity),
    ),
)]
async fn download(
    State(state): State<AppState>,
    Authenticated(access): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = path_id(&id, AttachmentId::parse, "attachment")?;
    let AttachmentContent {
        attachment,
        content,
    } = state
        .blocking(move |v| v.open_attachment(&access, id))
        .await?;
    let (tx, rx) = mpsc::channel(PIPE_DEPTH);
    tokio::task::spawn_blocking(move || pump(id, content, tx));
    let mut resp = Response::new(Body::from_stream(Pieces(rx)));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(attachment.content_type.as_str()),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(attachment.size));
    headers.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(&attachment.filename),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}

/// `attachment; filename*=UTF-8''…` (RFC 6266, RFC 8187): the name percent-encoded, so any
/// character survives and none can break out of the header.
fn content_disposition(filename: &str) -> HeaderValue {
    let mut value = String::from("attachment; filename*=UTF-8''");
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            value.push(char::from(b));
        } else {
            let _ = write!(value, "%{b:02X}");
        }
    }
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// What the connection hands the core: a piece of the body, its clean end, or its failure.
enum Upload {
    Piece(Bytes),
    End,
    Broken,
}

/// The body's next piece of data (empty for a frame that carries none, such as trailers),
/// `None` at its end.
async fn next_data(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await;
    frame.map(|r| r.map(|frame| frame.into_data().unwrap_or_default()))
}

/// Moves the request body into the pipe, piece by piece, waiting whenever the core is behind.
async fn feed(body: &mut Body, tx: mpsc::Sender<Upload>) {
    loop {
        let message = match next_data(body).await {
            None => Upload::End,
            // An empty piece would read as the end of the file: skip it.
            Some(Ok(bytes)) if bytes.is_empty() => continue,
            Some(Ok(bytes)) => Upload::Piece(bytes),
            Some(Err(_)) => Upload::Broken,
        };
        let last = !matches!(message, Upload::Piece(_));
        if tx.send(message).await.is_err() || last {
            return;
        }
    }
}

/// Reads and discards what is left of a refused upload, up to `DRAIN_LIMIT` bytes.
async fn drain(body: &mut Body) {
    let mut left = DRAIN_LIMIT;
    while left > 0 {
        match next_data(body).await {
            Some(Ok(bytes)) => left = left.saturating_sub(bytes.len().max(1)),
            None | Some(Err(_)) => return,
        }
    }
}

/// The request body as a blocking `Read` for the core. It ends cleanly only at the body's
/// end; a broken body, or a handler that went away, is an error, so a cut-off upload can never
/// pass for a complete file.
struct Pipe {
    rx: mpsc::Receiver<Upload>,
    current: Bytes,
    ended: bool,
}

impl Pipe {
    fn new(rx: mpsc::Receiver<Upload>) -> Self {
        Self {
            rx,
            current: Bytes::new(),
            ended: false,
        }
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.current.is_empty() {
            if self.ended {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Upload::Piece(bytes)) => self.current = bytes,
                Some(Upload::End) => self.ended = true,
                Some(Upload::Broken) | None => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the request body was cut off",
                    ));
                }
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Reads the decrypted attachment into the response, piece by piece. A failure part-way is
/// sent on as the body's error, which aborts the connection.
fn pump(id: AttachmentId, mut content: Box<dyn Read + Send>, tx: mpsc::Sender<io::Result<Bytes>>) {
    loop {
        let mut piece = vec![0u8; PIECE];
        let n = match content.read(&mut piece) {
            Ok(0) => return,
            Ok(n) => n.min(PIECE),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::error!(attachment = %id, error = %e, "attachment failed while being sent; transfer aborted");
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        piece.truncate(n);
        if tx.blocking_send(Ok(Bytes::from(piece))).is_err() {
            // The recipient went away.
            return;
        }
    }
}

/// The pieces `pump` sends, as the stream a response body is made from.
struct Pieces(mpsc::Receiver<io::Result<Bytes>>);

impl futures_core::Stream for Pieces {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_percent_encoded_in_the_content_disposition() {
        let v = content_disposition("Intake form – Ada É.pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename*=UTF-8''Intake%20form%20%E2%80%93%20Ada%20%C3%89.pdf"
        );
        let v = content_disposition("a\";\r\nX-Evil: 1.pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename*=UTF-8''a%22%3B%0D%0AX-Evil%3A%201.pdf"
        );
    }

    #[test]
    fn the_pipe_ends_cleanly_only_at_the_end_of_the_body() {
        let (tx, rx) = mpsc::channel(8);
        tx.try_send(Upload::Piece(Bytes::from_static(b"hello ")))
            .unwrap();
        tx.try_send(Upload::Piece(Bytes::from_static(b"world")))
            .unwrap();
        tx.try_send(Upload::End).unwrap();
        let mut out = String::new();
        Pipe::new(rx).read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello world");

        for last in [Some(Upload::Broken), None] {
            let (tx, rx) = mpsc::channel(8);
            tx.try_send(Upload::Piece(Bytes::from_static(b"partial")))
                .unwrap();
            if let Some(last) = last {
                tx.try_send(last).unwrap();
            }
            drop(tx);
            let mut out = Vec::new();
            let err = Pipe::new(rx).read_to_end(&mut out).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted);
            assert_eq!(out, b"partial");
        }
    }
}
