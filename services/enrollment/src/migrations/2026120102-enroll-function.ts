import { sql, type Kysely } from 'kysely'

/**
 * enroll_in_course: the checks and the insert of an enrollment in one round trip, inside the caller's
 * transaction. It locks the course row first; each later statement of a plpgsql function reads with a
 * fresh snapshot (read committed), so the seat count sees every enrollment committed before the lock.
 * A full course inserts nothing (`course_full`): the caller may queue the user under the same lock.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function enroll_in_course(p_enrollment_id uuid, p_user_id uuid, p_course_id uuid)
  returns jsonb language plpgsql as $fn$
  declare
    c courses%rowtype;
    e enrollments%rowtype;
    v_waiting uuid;
  begin
    select * into c from courses where id = p_course_id for update;
    if not found then return '{"outcome": "course_not_available"}'; end if;
    if c.status <> 'published' then return jsonb_build_object('outcome', 'course_not_open', 'courseStatus', c.status); end if;
    if exists (select from enrollments where user_id = p_user_id and course_id = p_course_id and status <> 'dropped') then
      return '{"outcome": "already_enrolled"}';
    end if;
    if c.capacity is not null and (select count(*) from enrollments where course_id = p_course_id and status = 'active') >= c.capacity then
      return '{"outcome": "course_full"}';
    end if;
    select id into v_waiting from waitlist_entries where user_id = p_user_id and course_id = p_course_id and status = 'waiting';
    insert into enrollments (id, user_id, course_id, status) values (p_enrollment_id, p_user_id, p_course_id, 'active') returning * into e;
    return jsonb_build_object(
      'outcome', 'enrolled',
      'enrollment', jsonb_build_object('id', e.id, 'userId', e.user_id, 'courseId', e.course_id, 'status', e.status,
        'progressPercentage', e.progress_percentage, 'enrolledAt', e.enrolled_at, 'completedAt', e.completed_at),
      'course', jsonb_build_object('title', c.title, 'instructorId', c.instructor_id),
      'waitingEntryId', v_waiting);
  end
  $fn$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists enroll_in_course(uuid, uuid, uuid)`.execute(db)
}
