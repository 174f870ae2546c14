//! `balise import` as a process: refused records are reported as `FILE:LINE: field:
//! message` with exit code 2, and a `kill -9` in the middle of an import loses nothing the
//! store acknowledged; running the import again completes it without duplicates.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use domain::audit::AuditVerification;
use domain::entities::{ExternalId, Network};
use store::Store;

fn write_messages(path: &Path, count: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for index in 1..=count {
        writeln!(
            file,
            r#"{{"network":"facebook","account":"@MAMHQuebec","external_id":"k-{index}","author":"u-{}","text":"Bonjour, une question sur le programme d'aide n° {index}?","kind":"comment","received_at":"2026-03-02T14:05:06-05:00"}}"#,
            index % 97
        )
        .unwrap();
    }
}

fn balise() -> Command {
    Command::new(env!("CARGO_BIN_EXE_balise"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_records_name_file_line_and_field_and_exit_2() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("messages.csv");
    let mut content = b"network,account,external_id,author,text,kind,received_at\n".to_vec();
    content.extend(b"facebook,@MAMHQuebec,c-1,u-1,Bonjour,comment,2026-03-02T14:05:06-05:00\n");
    content.extend(b"facebook,@MAMHQuebec,c-2,u-1,caf\xC3,comment,2026-03-02T14:05:06-05:00\n");
    content.extend(b"facebook,@MAMHQuebec,c-3,u-1,Allo,tweet,2026-03-02T14:05:06-05:00\n");
    content.extend(b"facebook,@MAMHQuebec,c-4,u-1,Merci,comment,2026-03-02T14:05:06-05:00\n");
    std::fs::write(&file, content).unwrap();
    let database = format!("sqlite://{}", directory.path().join("db.sqlite3").display());
    let output = balise()
        .args([
            "import",
            file.to_str().unwrap(),
            "--organisation",
            "mamh",
            "--database",
            &database,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stderr}{stdout}");
    let name = file.display().to_string();
    assert!(
        stderr.contains(&format!("{name}:3: text: octets invalides en UTF-8")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{name}:4: kind: type inconnu")),
        "{stderr}"
    );
    assert!(stdout.contains("Conservés : 2"), "{stdout}");
    assert!(stdout.contains("Refusés : 2"), "{stdout}");
    assert!(stdout.contains("Dossiers ouverts : 2"), "{stdout}");

    // The same file again: everything valid is a duplicate, nothing new.
    let output = balise()
        .args([
            "import",
            file.to_str().unwrap(),
            "--organisation",
            "mamh",
            "--database",
            &database,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Conservés : 0") && stdout.contains("Doublons : 2"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_import_loses_nothing_acknowledged_and_a_rerun_completes_without_duplicates() {
    const COUNT: usize = 6_000;
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("messages.jsonl");
    write_messages(&file, COUNT);
    let database = format!("sqlite://{}", directory.path().join("db.sqlite3").display());
    let mut child = balise()
        .args([
            "import",
            file.to_str().unwrap(),
            "--organisation",
            "mamh",
            "--database",
            &database,
            "--batch",
            "500",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut acknowledged_line = 0_usize;
    let mut acknowledgements = 0;
    let mut line = String::new();
    while acknowledgements < 3 {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "import ended before three acknowledgements"
        );
        if let Some(rest) = line.trim().strip_prefix("conservé jusqu'à la ligne ") {
            acknowledged_line = rest.parse().unwrap();
            acknowledgements += 1;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        (1_500..COUNT).contains(&acknowledged_line),
        "{acknowledged_line}"
    );

    let store = Store::connect(&database).await.unwrap();
    let network = Network::parse("facebook").unwrap();
    for index in 1..=acknowledged_line {
        let external_id = ExternalId::parse(&format!("k-{index}")).unwrap();
        assert!(
            store
                .find_message(&network, &external_id)
                .await
                .unwrap()
                .is_some(),
            "k-{index} was acknowledged but is lost"
        );
    }
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
    store.close().await;

    let output = balise()
        .args([
            "import",
            file.to_str().unwrap(),
            "--organisation",
            "mamh",
            "--database",
            &database,
            "--batch",
            "500",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Refusés : 0"), "{stdout}");

    let store = Store::connect(&database).await.unwrap();
    assert_eq!(store.count_messages().await.unwrap(), COUNT as u64);
    assert_eq!(store.count_pending().await.unwrap(), 0);
    for index in [1, acknowledged_line, acknowledged_line + 1, COUNT] {
        let external_id = ExternalId::parse(&format!("k-{index}")).unwrap();
        let message = store
            .find_message(&network, &external_id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .find_case_for_message(message.id)
                .await
                .unwrap()
                .is_some(),
            "k-{index} has no case"
        );
    }
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
    store.close().await;
}
