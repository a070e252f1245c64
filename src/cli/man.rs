//! `gutenfetch man`: manual pages from the clap definition. clap_mangen
//! renders every section but the SYNOPSIS, which it writes without value
//! names (`[--manifest]`); ours names them (`[-m|--manifest FILE]`).
//! `--out DIR` writes a page per subcommand, so the SUBCOMMANDS section's
//! `gutenfetch-strip(1)` and the others exist.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap_mangen::Man;

/// Renders `man`'s page with a SYNOPSIS that names every value.
pub fn render(man: &Man, cmd: &clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    out.write_all(synopsis(cmd).as_bytes())?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    man.render_extra_section(out)?;
    if cmd.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// The page of the whole command, for stdout.
pub fn render_main(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    let cmd = built(cmd);
    render(&Man::new(cmd.clone()), &cmd, out)
}

/// Writes `gutenfetch.1` and `gutenfetch-<subcommand>.1` for each subcommand into `dir`.
pub fn write_all(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let cmd = built(cmd);
    for page in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
        let man = Man::new(page.clone());
        let path = dir.join(man.get_filename());
        let mut text = Vec::new();
        render(&man, page, &mut text)?;
        let written = crate::atomic_file::SyncPartFile::beside(&path).and_then(|mut part| {
            part.file().write_all(&text)?;
            part.commit(&path)
        });
        written.with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The command with its subcommands' full names (`gutenfetch-strip`), and no `help` subcommand.
fn built(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// `.SH SYNOPSIS` with each option's value name: `[-m|--manifest FILE]`.
fn synopsis(cmd: &clap::Command) -> String {
    let name = cmd.get_display_name().or(cmd.get_bin_name()).unwrap_or(cmd.get_name());
    let mut line = format!("\\fB{}\\fR", escape(&name.replace('-', " ")));
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let flag = match (arg.get_short(), arg.get_long()) {
            (Some(s), Some(l)) => format!("\\fB\\-{s}\\fR|\\fB\\-\\-{}\\fR", escape(l)),
            (Some(s), None) => format!("\\fB\\-{s}\\fR"),
            (None, Some(l)) => format!("\\fB\\-\\-{}\\fR", escape(l)),
            (None, None) => continue,
        };
        let value = if arg.get_action().takes_values() {
            let names = arg.get_value_names().map(|n| n.join(" ")).unwrap_or_else(|| arg.get_id().to_string());
            format!(" \\fI{}\\fR", escape(&names))
        } else if matches!(arg.get_action(), clap::ArgAction::Count) {
            "...".to_owned()
        } else {
            String::new()
        };
        line.push_str(&format!(" [{flag}{value}]"));
    }
    for arg in cmd.get_positionals() {
        let names = arg.get_value_names().map(|n| n.join(" ")).unwrap_or_else(|| arg.get_id().to_string());
        let many = if arg.get_num_args().is_some_and(|n| n.max_values() > 1) { "..." } else { "" };
        let names = format!("\\fI{}\\fR{many}", escape(&names));
        line.push_str(&if arg.is_required_set() { format!(" {names}") } else { format!(" [{names}]") });
    }
    if cmd.has_subcommands() {
        line.push_str(" [\\fISUBCOMMAND\\fR]");
    }
    format!(".SH SYNOPSIS\n.ad l\n{line}\n.ad\n")
}

/// Roff's own characters, escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_synopsis_names_values_and_the_pages_it_refers_to_are_written() {
        let mut page = Vec::new();
        super::render_main(crate::cli::Cli::command(), &mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        let synopsis = &page[page.find(".SH SYNOPSIS").unwrap()..page.find(".SH DESCRIPTION").unwrap()];
        assert!(synopsis.contains("\\fB\\-\\-manifest\\fR \\fIFILE\\fR"), "{synopsis}");
        assert!(synopsis.contains("\\fB\\-\\-jobs\\fR \\fIN\\fR"), "{synopsis}");

        let dir = tempfile::tempdir().unwrap();
        super::write_all(crate::cli::Cli::command(), dir.path()).unwrap();
        for reference in ["gutenfetch-strip(1)", "gutenfetch-completions(1)", "gutenfetch-man(1)"] {
            assert!(page.contains(&reference.replace('-', "\\-")), "{reference} is named");
            let file = reference.replace("(1)", ".1");
            assert!(dir.path().join(&file).is_file(), "{file} is written");
        }
        let strip = std::fs::read_to_string(dir.path().join("gutenfetch-strip.1")).unwrap();
        assert!(strip.contains("\\fIFILE\\fR...") && !strip.contains("\\-\\-mirror"), "{strip}");
    }
}
