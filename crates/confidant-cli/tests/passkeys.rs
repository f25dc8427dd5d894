//! Passkeys over HTTP against the real `confidant` binary: `serve --public-url` turns them on, a
//! signed-in session registers one, the sign-in's second step accepts its signature in place of
//! a code, and without the flag the routes say how to turn them on. A software authenticator
//! plays the browser, for the origin given as `--public-url` (nothing is fetched from it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::*;
use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const PUBLIC_URL: &str = "https://confidant.example.org";

fn start(extra: &[std::ffi::OsString]) -> (Practice, Server, Caller) {
    let practice = Practice::with_key_file();
    let server = Server::start(&practice.data_dir, &practice.unseal(), extra, &[]);
    let owner = Caller::bearer(&server.base_url, &practice.token);
    (practice, server, owner)
}

fn origin() -> Url {
    Url::parse(PUBLIC_URL).unwrap()
}

/// `POST /api/v1/auth/login/passkey/start` for a challenge.
fn passkey_options(base: &str, challenge: &str) -> Resp {
    Caller::anonymous(base).post(
        "/api/v1/auth/login/passkey/start",
        &json!({ "challenge": challenge }),
    )
}

/// `POST /api/v1/auth/login/verify` with a passkey's answer.
fn verify_passkey(base: &str, challenge: &str, answer: &Value) -> Reply {
    Caller::anonymous(base).send(
        "POST",
        "/api/v1/auth/login/verify",
        Some(&json!({ "challenge": challenge, "passkey": answer })),
    )
}

#[test]
fn a_passkey_registered_over_http_signs_in_in_place_of_a_code_until_deleted() {
    let (_practice, server, owner) = start(&args!["--public-url", PUBLIC_URL]);
    let base = server.base_url.as_str();
    let staff = hire(&owner, "clinician");
    let session = sign_in(base, &staff);
    let mut key = WebauthnAuthenticator::new(SoftPasskey::new(true));

    let options = session
        .post_empty("/api/v1/auth/passkeys/register/start")
        .expect_json(200);
    assert_eq!(options["publicKey"]["rp"]["id"], "confidant.example.org");
    let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let credential = key.do_registration(origin(), options).unwrap();
    let created = session
        .post(
            "/api/v1/auth/passkeys/register/finish",
            &json!({ "label": "work laptop", "credential": credential }),
        )
        .expect_json(201);
    let id = created["id"].as_str().unwrap().to_string();
    let listed = session.get("/api/v1/auth/passkeys").expect_json(200);
    assert_eq!(listed["passkeys"][0]["id"], id.as_str());
    assert_eq!(listed["passkeys"][0]["label"], "work laptop");
    assert_eq!(listed["passkeys"][0]["last_used_at"], Value::Null);

    // Password, then the passkey instead of a code.
    let (challenge, login) = password_step(base, &staff);
    let options = passkey_options(base, &challenge).expect_json(200);
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let answer = serde_json::to_value(key.do_authentication(origin(), options).unwrap()).unwrap();
    let both = Caller::anonymous(base).post(
        "/api/v1/auth/login/verify",
        &json!({ "challenge": challenge, "code": "123456", "passkey": answer }),
    );
    both.expect_problem(422);
    let reply = verify_passkey(base, &challenge, &answer);
    let signed_in = finish_sign_in(base, &staff, challenge, login, &reply);
    assert_eq!(signed_in.caller.whoami()["id"], staff.id.as_str());
    assert!(signed_in.recovery_codes.is_none());
    let listed = session.get("/api/v1/auth/passkeys").expect_json(200);
    assert!(listed["passkeys"][0]["last_used_at"].is_string());

    // A bearer token neither registers nor deletes passkeys.
    owner
        .post_empty("/api/v1/auth/passkeys/register/start")
        .expect_problem(403);

    // Deleted, it is no longer offered or accepted.
    let path = format!("/api/v1/auth/passkeys/{id}");
    owner.delete(&path).expect_problem(403);
    signed_in.caller.delete(&path).expect_status(204);
    signed_in.caller.delete(&path).expect_problem(404);
    let (challenge, _) = password_step(base, &staff);
    passkey_options(base, &challenge).expect_problem(422);
    let replayed = verify_passkey(base, &challenge, &answer);
    replayed.resp.expect_problem(401);
}

#[test]
fn without_a_public_url_the_passkey_routes_say_how_to_turn_them_on() {
    let (_practice, server, owner) = start(&[]);
    let base = server.base_url.as_str();
    let staff = hire(&owner, "clinician");
    let session = sign_in(base, &staff);
    let (challenge, _) = password_step(base, &staff);
    for (what, r) in [
        (
            "registration",
            session.post_empty("/api/v1/auth/passkeys/register/start"),
        ),
        ("sign-in", passkey_options(base, &challenge)),
    ] {
        let problem = r.expect_problem(409);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("--public-url"), "{what}: {detail}");
    }
    // The code still signs in.
    let reply = verify_code(base, &challenge, &staff.next_totp_code());
    reply.resp.expect_json(200);
}

#[test]
fn serve_refuses_a_public_url_passkeys_cannot_work_with() {
    let practice = Practice::with_key_file();
    let (unseal, env) = practice.unseal().args_and_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for bad in [
        "http://confidant.example.org",
        "https://192.0.2.7",
        "confidant",
    ] {
        let mut args = args!["serve", "--data", &practice.data_dir, "--public-url", bad];
        args.extend(unseal.iter().cloned());
        let line = run_cli(&args, &env).assert_refused_with_one_line(bad);
        assert!(line.contains("--public-url"), "{bad}: {line}");
    }
}
