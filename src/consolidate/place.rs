//! Where a new row goes in this year's book: under the 施策 it names (found by meaning),
//! else at the end of its 基本目標, else at the end.

use rustc_hash::FxHashMap;

use crate::model::Row;

/// Where a new row goes in this year's book.
pub(super) enum Place {
    /// before `anchor` (a position in the book's rows), under the 施策 of row `like`
    Measure { anchor: usize, like: usize },
    /// before `anchor`, at the end of the 基本目標 of row `like`: the 施策 is not found
    Goal { anchor: usize, like: usize },
    /// neither 施策 nor 基本目標 found: at the end
    Nowhere,
}

/// One 施策 of last year's book: its goal, its 数値目標, number and name as compared, its
/// rows.
pub(super) struct Measure<'a> {
    goal: &'a crate::model::Goal,
    targets: String,
    no: String,
    name: String,
    rows: Vec<usize>,
    /// the rows' keys for ordering, worked out the first time a new row lands here (a
    /// national book has 施策 of thousands of rows, and a new row is placed by them)
    orders: std::cell::OnceCell<Vec<Vec<(u64, String)>>>,
}

/// Finds where new rows go among last year's rows (in this year's book, before the new
/// rows are put in): the 施策 a row names, by meaning (NFKC, spaces and line breaks
/// ignored, its circled or bracketed number and its name, within the 基本目標 the row
/// names or whose 数値目標 it gives), so a return without section rows places its new
/// project as well as one with them. A name written shortened (`①妊娠・出産子育ての一貫した
/// 支援` for `①妊娠・出産子育ての一貫した支援と環境の充実`) names the 施策 when its number is
/// the 施策's and the name begins exactly one 施策 of that goal; an ambiguous one names
/// none (the row is then placed at the end of its goal, with a located warning).
pub(super) struct Placer<'a> {
    rows: &'a [Row],
    measures: Vec<Measure<'a>>,
    /// 施策 name as compared → the 施策 of that name, in book order
    by_name: FxHashMap<String, Vec<usize>>,
    /// 施策 number as compared → the 施策 of that number, in book order
    by_no: FxHashMap<String, Vec<usize>>,
    /// each goal with its last row
    goals: Vec<(&'a crate::model::Goal, usize)>,
}

/// A 数値目標 as compared: every line, NFKC, without spaces.
pub(super) fn targets_key(targets: &[String]) -> String {
    targets
        .iter()
        .map(|t| crate::value::nfkc_compact(t))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a goal as a row names it is `goal` of the book, by meaning (its number, or
/// else its title).
pub(super) fn same_goal(named: &crate::model::Goal, goal: &crate::model::Goal) -> bool {
    use crate::compare::same_text;
    let no = !named.no.trim().is_empty() && !goal.no.trim().is_empty();
    let title = !named.title.trim().is_empty() && !goal.title.trim().is_empty();
    (no || title)
        && (!no || same_text(&named.no, &goal.no))
        && (!title
            || crate::value::nfkc_compact(&named.title) == crate::value::nfkc_compact(&goal.title))
}

/// A key's numbers for ordering (`432-10` after `432-9`).
pub(super) fn key_order(key: &str) -> Vec<(u64, String)> {
    key.split('-')
        .map(|p| (p.trim().parse::<u64>().unwrap_or(u64::MAX), p.to_string()))
        .collect()
}

impl<'a> Placer<'a> {
    pub(super) fn new(rows: &'a [Row]) -> Placer<'a> {
        use crate::compare::{measure_name_key, measure_no_key};
        let mut measures: Vec<Measure<'a>> = Vec::new();
        let mut slot: FxHashMap<(&crate::model::Goal, &str, &str), usize> = FxHashMap::default();
        let mut by_name: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut by_no: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut goals: Vec<(&crate::model::Goal, usize)> = Vec::new();
        let mut goal_slot: FxHashMap<&crate::model::Goal, usize> = FxHashMap::default();
        for (i, r) in rows.iter().enumerate() {
            let g = *goal_slot.entry(&r.goal).or_insert_with(|| {
                goals.push((&r.goal, i));
                goals.len() - 1
            });
            goals[g].1 = i;
            let m = *slot
                .entry((&r.goal, r.measure_no.as_str(), r.measure.as_str()))
                .or_insert_with(|| {
                    let no = measure_no_key(&r.measure_no);
                    let name = measure_name_key(&r.measure);
                    by_no.entry(no.clone()).or_default().push(measures.len());
                    by_name
                        .entry(name.clone())
                        .or_default()
                        .push(measures.len());
                    measures.push(Measure {
                        goal: &r.goal,
                        targets: targets_key(&r.goal_targets),
                        no,
                        name,
                        rows: Vec::new(),
                        orders: std::cell::OnceCell::new(),
                    });
                    measures.len() - 1
                });
            measures[m].rows.push(i);
        }
        Placer {
            rows,
            measures,
            by_name,
            by_no,
            goals,
        }
    }

    /// The 施策 a shortened name names: number `no` given and the same as the 施策's, the
    /// name (at least two characters) the beginning of the 施策's name, and no other 施策
    /// of the goal (`in_goal`) whose name begins so. `None` when not exactly one.
    pub(super) fn shortened(
        &self,
        no: &str,
        name: &str,
        in_goal: &dyn Fn(&Measure) -> bool,
    ) -> Option<&Measure<'a>> {
        if no.is_empty() || name.chars().count() < 2 {
            return None;
        }
        let mut begun = self
            .measures
            .iter()
            .filter(|m| in_goal(m) && m.name.len() > name.len() && m.name.starts_with(name));
        let first = begun.next()?;
        // the same 施策 may appear as more than one entry (spelled apart in the book)
        let same = |m: &Measure| m.goal == first.goal && m.no == first.no && m.name == first.name;
        (first.no == no && begun.all(same)).then_some(first)
    }

    /// Where `row` goes.
    pub(super) fn place(&self, row: &Row) -> Place {
        use crate::compare::{measure_name_key, measure_no_key};
        let goal_named = row.goal != crate::model::Goal::default();
        let targets = targets_key(&row.goal_targets);
        let (no, name) = (
            measure_no_key(&row.measure_no),
            measure_name_key(&row.measure),
        );
        // the goal a 施策 may be in: the one the row names, else (no section rows) the
        // ones whose 数値目標 the row gives; without either, any
        let in_goal = |m: &Measure| {
            if goal_named {
                same_goal(&row.goal, m.goal)
            } else {
                targets.is_empty() || m.targets == targets
            }
        };
        let candidates: &[usize] = if !name.is_empty() {
            self.by_name.get(&name).map_or(&[], Vec::as_slice)
        } else if !no.is_empty() {
            self.by_no.get(&no).map_or(&[], Vec::as_slice)
        } else {
            &[]
        };
        let found = candidates
            .iter()
            .map(|&m| &self.measures[m])
            .find(|m| in_goal(m) && (no.is_empty() || m.no.is_empty() || m.no == no))
            .or_else(|| self.shortened(&no, &name, &in_goal));
        if let Some(m) = found {
            // next to the nearest key: after the last project of the 施策 whose key is
            // not after the new one's, else before the 施策's first row
            let first_no = |r: &'a Row| r.project_nos.first().map_or("", String::as_str);
            let key = key_order(row.project_nos.first().map_or("", String::as_str));
            let orders = m.orders.get_or_init(|| {
                m.rows
                    .iter()
                    .map(|&i| key_order(first_no(&self.rows[i])))
                    .collect()
            });
            let anchor = m
                .rows
                .iter()
                .zip(orders)
                .rev()
                .find(|(_, order)| **order <= key)
                .map_or(m.rows[0], |(i, _)| i + 1);
            return Place::Measure {
                anchor,
                like: m.rows[0],
            };
        }
        // the goal alone: named, or given by its 数値目標
        let goal = if goal_named {
            self.goals.iter().find(|(g, _)| same_goal(&row.goal, g))
        } else if !targets.is_empty() {
            self.measures
                .iter()
                .find(|m| m.targets == targets)
                .and_then(|m| self.goals.iter().find(|(g, _)| *g == m.goal))
        } else {
            None
        };
        match goal {
            Some(&(_, last)) => Place::Goal {
                anchor: last + 1,
                like: last,
            },
            None => Place::Nowhere,
        }
    }
}

/// A row's 施策 as the user wrote it (number and name), for messages.
pub(super) fn measure_text(row: &Row) -> String {
    let no = row.measure_no.trim();
    let name = row.measure.trim();
    if no.is_empty() || crate::compare::measure_name_key(name) != crate::value::nfkc_compact(name) {
        name.to_string()
    } else {
        format!("{no} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn row(no: &str, measure: &str, key: &str) -> Row {
        Row {
            goal: crate::model::Goal {
                no: "Ⅱ".into(),
                title: "未来を創るひとづくり".into(),
            },
            goal_targets: vec!["市内の児童・学生数".into()],
            measure_no: no.into(),
            measure: measure.into(),
            project_nos: vec![key.into()],
            kpi_index: 1,
            ..Row::default()
        }
    }

    pub(super) fn placed(book: &[Row], no: &str, measure: &str, key: &str) -> Option<usize> {
        let mut new = row(no, measure, key);
        new.goal = crate::model::Goal::default();
        match Placer::new(book).place(&new) {
            Place::Measure { like, .. } => Some(like),
            _ => None,
        }
    }

    #[test]
    pub(super) fn a_shortened_measure_name_names_the_one_measure_it_begins() {
        let book = [
            row("①", "①子育て支援と環境の充実", "342-5"),
            row("②", "②子育て支援の拠点づくり", "343-1"),
            row("③", "③学びの充実", "511-9"),
        ];
        // begins ① and ② alike: ambiguous, none
        assert_eq!(placed(&book, "①", "①子育て支援", "342-9"), None);
        // begins ① alone, number ①
        assert_eq!(placed(&book, "①", "①子育て支援と環境", "342-9"), Some(0));
        // begins ① alone, but numbered ②: none
        assert_eq!(placed(&book, "②", "②子育て支援と環境", "342-9"), None);
        // no number given: none
        assert_eq!(placed(&book, "", "子育て支援と環境", "342-9"), None);
        // one character is no clear shortening
        assert_eq!(placed(&book, "③", "③学", "511-10"), None);
        // the whole name, as before
        assert_eq!(placed(&book, "③", "③ 学びの 充実", "511-10"), Some(2));
    }
}
