/**
 * The hierarchy the inheritance acceptance tests run on, mapped single-table or joined-table:
 * departments with staff (employees, managers, engineers), tickets assigned to any employee,
 * projects led by a manager.
 */
import { column, type JoinedTableOptions, Model, relationship, sql } from "../mod.ts";

/** The classes of one hierarchy, mapped as `kind` says. */
export function hierarchy(kind: "single" | "joined") {
  const p = kind === "single" ? "a16s" : "a16j";
  const tableOf = (name: string): JoinedTableOptions | undefined =>
    kind === "joined" ? { table: `${p}_${name}` } : undefined;

  class Dept extends Model(`${p}_depts`, {
    id: column.integer().primaryKey(),
    name: column.text(),
  }) {
    static staff = relationship(() => Emp, { backPopulates: "dept" });
    declare staff: Emp[];
  }

  class Emp extends Model(`${p}_emps`, {
    id: column.integer().primaryKey(),
    kind: column.text().default("emp"),
    name: column.text(),
    deptId: column.integer().nullable().references(() => Dept.c.id),
  }, { polymorphicOn: "kind", polymorphicIdentity: "emp" }) {
    static dept = relationship(() => Dept, { backPopulates: "staff" });
    declare dept: Dept | null;
  }

  class Mgr extends Emp.subclass("mgr", {
    budget: column.integer().check(sql`budget >= 0`),
  }, tableOf("mgrs") as JoinedTableOptions) {
    static projects = relationship(() => Project, { backPopulates: "manager" });
    declare projects: Project[];
  }

  class Eng
    extends Emp.subclass("eng", { lang: column.text() }, tableOf("engs") as JoinedTableOptions) {}

  class Ticket extends Model(`${p}_tickets`, {
    id: column.integer().primaryKey(),
    title: column.text(),
    assigneeId: column.integer().references(() => Emp.c.id),
  }) {
    static assignee = relationship(() => Emp);
    declare assignee: Emp;
  }

  class Project extends Model(`${p}_projects`, {
    id: column.integer().primaryKey(),
    label: column.text(),
    managerId: column.integer().references(() => Emp.c.id),
  }) {
    static manager = relationship(() => Mgr, { backPopulates: "projects" });
    declare manager: Mgr;
  }

  const models = kind === "joined"
    ? [Dept, Emp, Mgr, Eng, Ticket, Project]
    : [Dept, Emp, Ticket, Project];
  return { Dept, Emp, Mgr, Eng, Ticket, Project, models };
}
