import { sql, type Kysely } from 'kysely'

/**
 * record_lesson_progress: a progress write in one round trip. It locks the enrollment first; every
 * later statement of a plpgsql function reads with a fresh snapshot (read committed), so the lesson
 * rows it reads after the lock include every earlier update of the enrollment. Outside a transaction
 * it writes nothing when the write would cross a milestone or complete the enrollment (`needs_transaction`):
 * the caller then runs it again in a transaction that also writes the events (README, Concurrency).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function record_lesson_progress(
    p_enrollment_id uuid, p_actor_id uuid, p_admin boolean, p_lesson_id uuid, p_status text,
    p_completion_percentage double precision, p_completed_at timestamptz, p_now timestamptz, p_in_transaction boolean
  ) returns jsonb language plpgsql as $fn$
  declare
    e enrollments%rowtype;
    v_title text;
    v_outline jsonb;
    v_lesson_ids uuid[];
    v_lesson jsonb;
    v_before jsonb;
    v_done uuid[];
    v_missing uuid[];
    v_completed integer;
    v_total integer;
    v_percentage double precision;
    v_crossed integer[];
    v_saved jsonb;
  begin
    select * into e from enrollments where id = p_enrollment_id for update;
    if not found or (e.user_id <> p_actor_id and not p_admin) then return '{"outcome": "not_found"}'; end if;
    if e.status = 'dropped' then return '{"outcome": "dropped"}'; end if;
    select title, outline into v_title, v_outline from courses where id = e.course_id;
    if not found then return '{"outcome": "not_found"}'; end if;

    select array_agg((l.value ->> 'id')::uuid order by m.ordinality, l.ordinality),
           (array_agg(l.value) filter (where (l.value ->> 'id')::uuid = p_lesson_id))[1]
      into v_lesson_ids, v_lesson
      from jsonb_array_elements(v_outline -> 'modules') with ordinality m,
           jsonb_array_elements(m.value -> 'lessons') with ordinality l;
    if v_lesson is null then return '{"outcome": "lesson_not_in_course"}'; end if;

    select coalesce(jsonb_agg(jsonb_build_object(
             'lessonId', lesson_id, 'status', status, 'completionPercentage', completion_percentage,
             'lastAccessedAt', last_accessed_at, 'completedAt', completed_at) order by last_accessed_at), '[]'),
           coalesce(array_agg(lesson_id) filter (where status = 'completed'), '{}')
      into v_before, v_done
      from lesson_progress where enrollment_id = p_enrollment_id;

    if p_status <> 'not_started' then
      select coalesce(array_agg(p.id::uuid order by p.ordinality), '{}') into v_missing
        from jsonb_array_elements_text(v_lesson -> 'prerequisiteLessonIds') with ordinality p(id, ordinality)
        where p.id::uuid <> all(v_done);
      if cardinality(v_missing) > 0 then
        return jsonb_build_object('outcome', 'prerequisites_not_met', 'missingLessonIds', to_jsonb(v_missing));
      end if;
    end if;

    v_total := cardinality(v_lesson_ids);
    select count(*) into v_completed from unnest(v_lesson_ids) id
      where (id = p_lesson_id and p_status = 'completed') or (id <> p_lesson_id and id = any(v_done));
    v_percentage := case when e.status = 'completed' then 100 else round(v_completed * 10000::numeric / v_total) / 100 end;
    v_crossed := array(select m from unnest(array[25, 50, 75, 100]) m where v_percentage >= m and m <> all(e.milestones_reached) order by m);
    -- Milestone events and completion belong in the caller's transaction: outside one, write nothing.
    if not p_in_transaction and (cardinality(v_crossed) > 0 or (e.status = 'active' and v_completed = v_total)) then
      return '{"outcome": "needs_transaction"}';
    end if;

    insert into lesson_progress as lp (enrollment_id, lesson_id, status, completion_percentage, last_accessed_at, completed_at)
      values (p_enrollment_id, p_lesson_id, p_status, p_completion_percentage, p_now, p_completed_at)
      on conflict (enrollment_id, lesson_id) do update set
        status = excluded.status, completion_percentage = excluded.completion_percentage, last_accessed_at = excluded.last_accessed_at,
        -- The first completion time is kept when a completed lesson is visited again.
        completed_at = case when excluded.completed_at is null then null else coalesce(lp.completed_at, excluded.completed_at) end
      returning jsonb_build_object('lessonId', lesson_id, 'status', status, 'completionPercentage', completion_percentage,
        'lastAccessedAt', last_accessed_at, 'completedAt', completed_at) into v_saved;
    update enrollments set progress_percentage = v_percentage, updated_at = p_now,
        milestones_reached = array(select distinct unnest(milestones_reached || v_crossed) order by 1)
      where id = p_enrollment_id returning * into e;

    return jsonb_build_object(
      'outcome', 'recorded',
      'enrollment', jsonb_build_object('id', e.id, 'userId', e.user_id, 'courseId', e.course_id, 'status', e.status,
        'progressPercentage', e.progress_percentage, 'milestonesReached', e.milestones_reached,
        'enrolledAt', e.enrolled_at, 'completedAt', e.completed_at),
      'before', v_before, 'saved', v_saved, 'crossed', to_jsonb(v_crossed), 'allLessonsCompleted', v_completed = v_total,
      'course', case when p_in_transaction then jsonb_build_object('title', v_title, 'outline', v_outline) end);
  end
  $fn$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists record_lesson_progress(uuid, uuid, boolean, uuid, text, double precision, timestamptz, timestamptz, boolean)`.execute(db)
}
