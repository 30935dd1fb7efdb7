"""CloudWatch dashboards and alarms built from the invocation record and its EMF metrics.

``dashboard`` builds a dashboard body, ``alarms`` the alarms and saved Logs
Insights queries (as a CloudFormation template or API calls), ``cli`` is
``lambda-kit cloudwatch``. Never imported on the cold-start path.
"""
