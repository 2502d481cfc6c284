//! The canonical fields a column can fill, by the names the TOML files and exports use.

use serde::Deserialize;

/// The canonical fields a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    GoalTargets,
    MeasureNo,
    Measure,
    MeasureKpi,
    Departments,
    Project,
    ProjectNos,
    Summary,
    Kpi,
    Unit,
    Target,
    Actual,
    Remarks,
    /// a column the city adds (基準値, 評価, an earlier year's 実績値): its `name` says which
    Extra,
}

impl Field {
    /// The field's name in TOML and exports.
    pub fn name(self) -> &'static str {
        match self {
            Field::GoalTargets => "goal_targets",
            Field::MeasureNo => "measure_no",
            Field::Measure => "measure",
            Field::MeasureKpi => "measure_kpi",
            Field::Departments => "departments",
            Field::Project => "project",
            Field::ProjectNos => "project_nos",
            Field::Summary => "summary",
            Field::Kpi => "kpi",
            Field::Unit => "unit",
            Field::Target => "target",
            Field::Actual => "actual",
            Field::Remarks => "remarks",
            Field::Extra => "extra",
        }
    }
}
