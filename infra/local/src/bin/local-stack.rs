//! `local-stack dev`: run the whole system locally (what `make dev` calls).
//! `local-stack routes [--write]`: check (or rewrite) the local router in Cargo.toml against
//! infra/template.yaml.
//! `local-stack token <user>`: an ID token of a demo user of the running `make dev` (`make token`).
//! `local-stack insights`: the running `make dev` sends every user's insight email now (`make insights`).

use anyhow::{Result, bail};
use local_stack::{Template, dev, emulator::workspace_root, routes, template};

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOCAL_STACK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .init();
    let workspace = workspace_root()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["dev"] => dev::run(dev::DevOptions::from_env(workspace)?).await,
        ["routes", rest @ ..] => {
            let template = Template::load(&template::default_path(&workspace))?;
            let section = routes::router_section(&template.routes()?)?;
            let manifest_path = workspace.join("Cargo.toml");
            let manifest = std::fs::read_to_string(&manifest_path)?;
            let updated = routes::with_section(&manifest, &section);
            if rest == ["--write"] {
                std::fs::write(&manifest_path, updated)?;
                println!("wrote the local router to {}", manifest_path.display());
            } else if updated != manifest {
                bail!("the local router in Cargo.toml is out of date with infra/template.yaml; run `make routes`");
            } else {
                println!("the local router matches infra/template.yaml");
            }
            Ok(())
        }
        ["token", user] => {
            println!("{}", dev::token(&workspace, user).await?);
            Ok(())
        }
        ["insights"] => {
            println!("{}", dev::insights_now().await?);
            Ok(())
        }
        _ => bail!(
            "usage: local-stack dev | local-stack routes [--write] | local-stack token <user> | local-stack insights"
        ),
    }
}
