//! 達成率 (achievement rate) and grades, by the rules of `templates/grades.toml`.
//!
//! 達成率 is 実績値 ÷ 目標値 × 100 for a KPI where more is better, 目標値 ÷ 実績値 × 100
//! where less is better. Which rule a KPI follows comes from the profile: a rule for its
//! key first, then words in its KPI text, then the default. A division by zero (a
//! target of 0, or an actual of 0 where less is better) is decided by the profile's
//! `zero_met` / `zero_missed`. Text, not-applicable, blank and negative values give no
//! rate. The rate is rounded as the profile says, and the grade is the first whose
//! threshold the rounded rate reaches, so what a reader sees agrees with the grade.

use crate::compare::text_key;
use crate::model::{Row, Value, ValueKind};
use crate::value::nfkc_compact;

pub use crate::profile::grades::{
    Better, DirectionRules, Grade, Grades, KeyRule, NoneText, RateRules,
};

impl Grades {
    /// Whether more or less is better for a row: its key's rule, else a word of its KPI,
    /// else the default.
    pub fn better(&self, row: &Row) -> Better {
        let key = row.key();
        if let Some(rule) = self.direction.key.iter().find(|r| {
            nfkc_compact(&r.key) == key.project_no && r.kpi.is_none_or(|k| k == key.kpi_index)
        }) {
            return rule.better;
        }
        let kpi = nfkc_compact(&row.kpi);
        if self
            .direction
            .less_words
            .iter()
            .any(|w| !w.is_empty() && kpi.contains(&nfkc_compact(w)))
        {
            return Better::Less;
        }
        self.direction.default
    }

    /// The 達成率 of a row in % (rounded), or `None` when its values give none.
    pub fn rate(&self, row: &Row) -> Option<f64> {
        self.rate_of(&row.target, &row.actual, &row.unit, self.better(row))
    }

    /// The 達成率 of an actual against a target, or `None`.
    pub fn rate_of(
        &self,
        target: &Value,
        actual: &Value,
        unit: &str,
        better: Better,
    ) -> Option<f64> {
        let (t, t_percent) = reading(target)?;
        let (a, a_percent) = reading(actual)?;
        let percent_unit = matches!(text_key(unit).as_str(), "%" | "パーセント");
        if t_percent != a_percent && !percent_unit {
            return None; // 50% against 100 people: not the same measure
        }
        if t < 0.0 || a < 0.0 {
            return None;
        }
        let r = &self.rate;
        let zero = |met: bool| if met { r.zero_met } else { r.zero_missed };
        let raw = match better {
            Better::More if t == 0.0 => zero(a >= t),
            Better::More => a / t * 100.0,
            Better::Less if t == 0.0 || a == 0.0 => zero(a <= t),
            Better::Less => t / a * 100.0,
        };
        let scale = 10f64.powi(i32::from(r.decimals));
        Some((raw * scale).round() / scale)
    }
}

/// A value's number and whether it was written as a percentage.
fn reading(v: &Value) -> Option<(f64, bool)> {
    match v.kind {
        ValueKind::Number => Some((v.number?, false)),
        ValueKind::Percent | ValueKind::Ratio => Some((v.number?, true)),
        ValueKind::Na | ValueKind::Blank | ValueKind::Text => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Lang, Profile};
    use crate::value::parse_value;

    fn row(kpi: &str, unit: &str, target: &str, actual: &str) -> Row {
        let p = Profile::builtin(Lang::Ja).patterns;
        Row {
            goal: Default::default(),
            goal_targets: vec![],
            measure_no: String::new(),
            measure: String::new(),
            measure_kpi: String::new(),
            departments: vec!["市民課".into()],
            project: "事業".into(),
            project_nos: vec!["111-1".into()],
            project_nos_note: String::new(),
            summary: String::new(),
            kpi: kpi.into(),
            kpi_index: 1,
            unit: unit.into(),
            target: parse_value(target, &p),
            actual: parse_value(actual, &p),
            year: crate::model::FiscalYear(2024),
            flags: vec![],
            remarks: String::new(),
            extra: Default::default(),
        }
    }

    fn grades() -> Grades {
        Profile::builtin(Lang::Ja).grades
    }

    fn rate_and_grade(g: &Grades, r: &Row) -> (Option<f64>, String) {
        let rate = g.rate(r);
        (rate, g.grade_text(rate))
    }

    #[test]
    fn more_is_better() {
        let g = grades();
        let r = row("事業活用による新規就農者数", "人", "30", "23");
        assert_eq!(g.better(&r), Better::More);
        assert_eq!(rate_and_grade(&g, &r), (Some(76.7), "C".into()));
        let r = row("会員登録者数", "人", "350", "420");
        assert_eq!(rate_and_grade(&g, &r), (Some(120.0), "A".into()));
        let r = row("就職者数", "人", "１，０００", "800");
        assert_eq!(rate_and_grade(&g, &r), (Some(80.0), "B".into()));
        let r = row("就職者数", "人", "100", "49.9");
        assert_eq!(rate_and_grade(&g, &r), (Some(49.9), "D".into()));
        // a rate that rounds to the threshold earns it: what is shown is what is graded
        let r = row("就職者数", "人", "100", "99.96");
        assert_eq!(rate_and_grade(&g, &r), (Some(100.0), "A".into()));
    }

    #[test]
    fn less_is_better_by_word_and_by_key() {
        let g = grades();
        let r = row("中心市街地の空き店舗数", "店", "88", "91");
        assert_eq!(g.better(&r), Better::Less);
        assert_eq!(rate_and_grade(&g, &r), (Some(96.7), "B".into()));
        let r = row("交通事故件数", "件", "10", "5");
        assert_eq!(rate_and_grade(&g, &r), (Some(200.0), "A".into()));
        let r = row("待機児童数", "人", "10", "40");
        assert_eq!(rate_and_grade(&g, &r), (Some(25.0), "D".into()));
        // a key rule wins over the words and the default, for one KPI or every KPI
        let mut g = grades();
        g.direction.key.push(KeyRule {
            key: "１１１－１".replace('－', "-"),
            kpi: Some(1),
            better: Better::Less,
        });
        let r = row("誘致企業数", "社", "1", "5");
        assert_eq!(g.better(&r), Better::Less);
        assert_eq!(rate_and_grade(&g, &r), (Some(20.0), "D".into()));
        let mut other_kpi = r.clone();
        other_kpi.kpi_index = 2;
        assert_eq!(g.better(&other_kpi), Better::More);
        g.direction.key.insert(
            0,
            KeyRule {
                key: "111-1".into(),
                kpi: None,
                better: Better::More,
            },
        );
        let r = row("待機児童数", "人", "10", "40");
        assert_eq!(g.better(&r), Better::More);
    }

    #[test]
    fn zero_target_and_zero_actual() {
        let g = grades();
        // less is better, target 0: on target only at 0
        let r = row("交通事故死亡者数", "人", "0", "0");
        assert_eq!(rate_and_grade(&g, &r), (Some(100.0), "A".into()));
        let r = row("交通事故死亡者数", "人", "0", "2");
        assert_eq!(rate_and_grade(&g, &r), (Some(0.0), "D".into()));
        // less is better, actual 0 under a positive target: met
        let r = row("待機児童数", "人", "5", "0");
        assert_eq!(rate_and_grade(&g, &r), (Some(100.0), "A".into()));
        // more is better, target 0: any actual meets it
        let r = row("新規登録数", "件", "0", "3");
        assert_eq!(rate_and_grade(&g, &r), (Some(100.0), "A".into()));
        // more is better, actual 0: a rate of 0, no division by zero involved
        let r = row("新規登録数", "件", "10", "0");
        assert_eq!(rate_and_grade(&g, &r), (Some(0.0), "D".into()));
    }

    #[test]
    fn text_na_blank_and_mixed_values_give_no_rate() {
        let g = grades();
        for (unit, target, actual) in [
            ("件", "10", "集計中"),
            ("件", "-", "1"),
            ("人", "—", "16,920"),
            ("件", "10", ""),
            ("件", "", "3"),
            ("人", "100", "50%"),
            ("人", "△10", "5"),
        ] {
            let r = row("件数", unit, target, actual);
            assert_eq!(
                rate_and_grade(&g, &r),
                (None, "—".into()),
                "{target} / {actual} {unit}"
            );
        }
        // percentages: 96.4% against 100 when the 単位 is %; a ratio reads as its percent
        let r = row("事業満足度", "%", "100", "96.4%");
        assert_eq!(rate_and_grade(&g, &r), (Some(96.4), "B".into()));
        let r = row("応募件数達成率", "%", "100", "107% (16/14)");
        assert_eq!(rate_and_grade(&g, &r), (Some(107.0), "A".into()));
    }

    #[test]
    fn grade_lists_are_checked() {
        let mut g = grades();
        g.grade[1].min = None;
        assert!(g.clone().checked().is_err());
        let mut g = grades();
        g.grade[2].min = Some(90.0);
        assert!(g.checked().is_err());
        assert!(grades().checked().is_ok());
        assert_eq!(grades().names(), vec!["A", "B", "C", "D", "—"]);
    }
}
