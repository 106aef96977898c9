# The wirehouse image: the official Airflow image, with this project and the exact versions in
# requirements.lock installed into it.  docker-compose.yml builds it for every Airflow service.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.0-python3.11
FROM ${AIRFLOW_IMAGE}

USER airflow
WORKDIR /opt/wirehouse

# dependencies first, so editing the project does not reinstall them; Airflow stays at the
# image's version (the lock pins the same)
COPY --chown=airflow:0 requirements.lock ./
RUN pip install --no-cache-dir "apache-airflow==3.3.0" -r requirements.lock

COPY --chown=airflow:0 . ./
# editable, so the package finds dbt_project/ and dags/ beside it; then the manifest Cosmos
# renders the dbt tasks from, so parsing the DAG runs no dbt command
RUN pip install --no-cache-dir --no-deps -e . \
 && cd dbt_project && dbt parse --quiet --profiles-dir . --project-dir . \
 && mkdir -p /opt/wirehouse/data/warehouse /opt/wirehouse/data/raw /opt/wirehouse/data/staging \
             /opt/wirehouse/data/reports /opt/wirehouse/config /opt/airflow/auth

ENV PYTHONPATH=/opt/wirehouse \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/wirehouse/dags \
    WIREHOUSE_HOME=/opt/wirehouse/data
