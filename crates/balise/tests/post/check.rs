//! The JSON contract of `balise post check`, network by network, at and just past each limit.

use crate::helpers::{assert_output, balise_bytes, check, stderr, stdout};

#[test]
fn x_counts_weighted_length_with_links_as_23() {
    assert_output(
        &check("x", "Bonjour Québec", &[]),
        0,
        r#"{"network":"x","length":14,"limit":280,"valid":true,"problems":[]}"#,
    );
    // 5 characters, then a 71-character link that counts 23.
    let output = check(
        "x",
        "Voir https://www.quebec.ca/nouvelles/actualites/details/avis-de-consultation",
        &[],
    );
    assert_output(
        &output,
        0,
        r#"{"network":"x","length":28,"limit":280,"valid":true,"problems":[]}"#,
    );
    // Wide characters and emoji count 2.
    assert_output(
        &check("x", "日本 👍🏽", &[]),
        0,
        r#"{"network":"x","length":7,"limit":280,"valid":true,"problems":[]}"#,
    );
}

#[test]
fn x_at_the_limit_and_one_past_it() {
    assert_output(
        &check("x", &"a".repeat(280), &[]),
        0,
        r#"{"network":"x","length":280,"limit":280,"valid":true,"problems":[]}"#,
    );
    assert_output(
        &check("x", &"a".repeat(281), &[]),
        1,
        r#"{"network":"x","length":281,"limit":280,"valid":false,"problems":[{"code":"too_long","message":"Le texte compte 281 caractères pondérés ; X en accepte au plus 280 (1 de trop)."}]}"#,
    );
}

#[test]
fn messages_are_english_with_lang_en() {
    let output = balise_bytes(
        &["--lang", "en", "post", "check", "--network", "x"],
        "a".repeat(281).as_bytes(),
        "fr",
    );
    assert_output(
        &output,
        1,
        r#"{"network":"x","length":281,"limit":280,"valid":false,"problems":[{"code":"too_long","message":"The text has 281 weighted characters; X accepts at most 280 (1 too many)."}]}"#,
    );
}

#[test]
fn bluesky_counts_graphemes() {
    let at_limit = format!("{}👩‍👩‍👧", "é".repeat(299));
    assert_output(
        &check("bluesky", &at_limit, &[]),
        0,
        r#"{"network":"bluesky","length":300,"limit":300,"valid":true,"problems":[]}"#,
    );
    assert_output(
        &check("bluesky", &format!("{at_limit}!"), &[]),
        1,
        r#"{"network":"bluesky","length":301,"limit":300,"valid":false,"problems":[{"code":"too_long","message":"Le texte compte 301 caractères ; Bluesky en accepte au plus 300 (1 de trop)."}]}"#,
    );
}

#[test]
fn mastodon_default_and_server_limits() {
    // "@ville@mastodon.quebec" counts as "@ville"; the link counts 23.
    let text = "Merci @ville@mastodon.quebec https://www.quebec.ca/une/tres/longue/adresse";
    assert_output(
        &check("mastodon", text, &[]),
        0,
        r#"{"network":"mastodon","length":36,"limit":500,"valid":true,"problems":[]}"#,
    );
    assert_output(
        &check("mastodon", &"a".repeat(50), &["--limit", "50"]),
        0,
        r#"{"network":"mastodon","length":50,"limit":50,"valid":true,"problems":[]}"#,
    );
    assert_output(
        &check("mastodon", &"a".repeat(51), &["--limit", "50"]),
        1,
        r#"{"network":"mastodon","length":51,"limit":50,"valid":false,"problems":[{"code":"too_long","message":"Le texte compte 51 caractères ; Mastodon en accepte au plus 50 (1 de trop)."}]}"#,
    );
}

#[test]
fn linkedin_counts_the_text_as_typed() {
    // Reserved characters are escaped when posted but count once, as typed.
    assert_output(
        &check("linkedin", &"(".repeat(3_000), &[]),
        0,
        r#"{"network":"linkedin","length":3000,"limit":3000,"valid":true,"problems":[]}"#,
    );
    assert_output(
        &check("linkedin", &"(".repeat(3_001), &[]),
        1,
        "{\"network\":\"linkedin\",\"length\":3001,\"limit\":3000,\"valid\":false,\"problems\":[{\"code\":\"too_long\",\"message\":\"Le texte compte 3\u{202f}001 caractères ; LinkedIn en accepte au plus 3\u{202f}000 (1 de trop).\"}]}",
    );
}

#[test]
fn facebook_reads_a_file() {
    let directory = tempfile::tempdir().unwrap();
    let at_limit = directory.path().join("facebook.txt");
    std::fs::write(&at_limit, format!("{}\n", "a".repeat(63_206))).unwrap();
    let path = at_limit.to_str().unwrap();
    assert_output(
        &balise_bytes(
            &["post", "check", "--network", "facebook", "--file", path],
            b"",
            "fr",
        ),
        0,
        r#"{"network":"facebook","length":63206,"limit":63206,"valid":true,"problems":[]}"#,
    );
    let over = directory.path().join("over.txt");
    std::fs::write(&over, "a".repeat(63_207)).unwrap();
    let output = balise_bytes(
        &[
            "post",
            "check",
            "--network",
            "facebook",
            "--file",
            over.to_str().unwrap(),
        ],
        b"",
        "fr",
    );
    assert_output(
        &output,
        1,
        "{\"network\":\"facebook\",\"length\":63207,\"limit\":63206,\"valid\":false,\"problems\":[{\"code\":\"too_long\",\"message\":\"Le texte compte 63\u{202f}207 caractères ; Facebook en accepte au plus 63\u{202f}206 (1 de trop).\"}]}",
    );
}

#[test]
fn instagram_limit_and_hashtags() {
    let five = "Bonne fête nationale! #Québec #fêtenationale #BaieComeau #CôteNord #été";
    assert_output(
        &check("instagram", five, &[]),
        0,
        r#"{"network":"instagram","length":71,"limit":2200,"valid":true,"problems":[]}"#,
    );
    assert_output(
        &check("instagram", &format!("{five} #famille"), &[]),
        1,
        r#"{"network":"instagram","length":80,"limit":2200,"valid":false,"problems":[{"code":"too_many_hashtags","message":"La légende compte 6 mots-clics ; Instagram en accepte au plus 5."}]}"#,
    );
    assert_output(
        &check("instagram", &"a".repeat(2_200), &[]),
        0,
        r#"{"network":"instagram","length":2200,"limit":2200,"valid":true,"problems":[]}"#,
    );
    assert_eq!(
        check("instagram", &"a".repeat(2_201), &[]).status.code(),
        Some(1)
    );
}

#[test]
fn youtube_description_is_counted_in_bytes_without_angle_brackets() {
    // 2,500 "é" are 5,000 bytes.
    assert_output(
        &check("youtube", &"é".repeat(2_500), &[]),
        0,
        r#"{"network":"youtube","length":5000,"limit":5000,"valid":true,"problems":[]}"#,
    );
    assert_eq!(
        check("youtube", &format!("{}a", "é".repeat(2_500)), &[])
            .status
            .code(),
        Some(1)
    );
    assert_output(
        &check("youtube", "Séance du conseil <en direct>", &[]),
        1,
        r#"{"network":"youtube","length":30,"limit":5000,"valid":false,"problems":[{"code":"forbidden_character","message":"La description contient « < » ou « > », que YouTube refuse (position 18, 28)."}]}"#,
    );
}

#[test]
fn english_text_is_flagged_unless_the_check_is_off() {
    let english =
        "Join us this Saturday at the town hall for a public consultation on the new urban plan.";
    assert_output(
        &check("facebook", english, &[]),
        1,
        r#"{"network":"facebook","length":87,"limit":63206,"valid":false,"problems":[{"code":"not_french","message":"Le texte semble rédigé en anglais ; les publications de l'organisme sont en français."}]}"#,
    );
    assert_output(
        &check("facebook", english, &["--no-language-check"]),
        0,
        r#"{"network":"facebook","length":87,"limit":63206,"valid":true,"problems":[]}"#,
    );
}

#[test]
fn an_empty_post_is_invalid() {
    assert_output(
        &check("x", "\n", &[]),
        1,
        r#"{"network":"x","length":0,"limit":280,"valid":false,"problems":[{"code":"empty","message":"Le texte de la publication pour X est vide."}]}"#,
    );
}

#[test]
fn unknown_network_is_bad_input_naming_the_valid_ones() {
    let output = check("twitter", "Bonjour", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "erreur : réseau inconnu « twitter » ; réseaux valides : x, bluesky, mastodon, linkedin, facebook, instagram, youtube\n"
    );
    let output = balise_bytes(&["post", "check", "--network", "tiktok"], b"Bonjour", "en");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: unknown network `tiktok`; valid networks: x, bluesky, mastodon, linkedin, facebook, instagram, youtube\n"
    );
}

#[test]
fn invalid_utf8_is_bad_input_naming_the_file_and_byte() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("latin1.txt");
    // "Qu\xe9bec" in Latin-1: the byte at offset 2 is not UTF-8.
    std::fs::write(&path, b"Qu\xe9bec").unwrap();
    let path = path.to_str().unwrap();
    let output = balise_bytes(
        &["post", "check", "--network", "x", "--file", path],
        b"",
        "fr",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!("erreur : le fichier « {path} » n'est pas en UTF-8 valide (octet 2)\n")
    );
    let output = balise_bytes(&["post", "check", "--network", "x"], b"abc\xff", "fr");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "erreur : l'entrée standard n'est pas en UTF-8 valide (octet 3)\n"
    );
}

#[test]
fn missing_file_and_misplaced_limit_are_bad_input() {
    let output = balise_bytes(
        &[
            "post",
            "check",
            "--network",
            "x",
            "--file",
            "/nonexistent/post.txt",
        ],
        b"",
        "fr",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("erreur : lecture du fichier « /nonexistent/post.txt » : "),
        "{}",
        stderr(&output)
    );
    let output = check("x", "Bonjour", &["--limit", "500"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "erreur : --limit ne s'applique qu'à mastodon (réseau demandé : x)\n"
    );
    let output = check("mastodon", "Bonjour", &["--limit", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "erreur : --limit doit être d'au moins 1 caractère\n"
    );
}
